package migrations

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// sqitch reads a Sqitch project: sqitch.plan lists the changes in deploy
// order, each with its dependencies ("[users !old_users]": requires users,
// conflicts with old_users); deploy/NAME.sql is the change, revert/NAME.sql
// its down, verify/NAME.sql a check run after the deploy (an error there
// and Sqitch reverts the change and stops). The history is the registry's
// changes table (database "sqitch" unless sqitch.conf says otherwise),
// whose script_hash is the SHA-1 of the deploy script.
type sqitch struct{}

func init() { Register(sqitch{}) }

// SqitchPlanFile is the plan file of a Sqitch project.
const SqitchPlanFile = "sqitch.plan"

var (
	sqitchPath   = regexp.MustCompile(`^(deploy|revert|verify)/(.+)\.sql$`)
	sqitchChange = regexp.MustCompile(`^[+-]?([^\s@#\[\]:%]+)\s*(?:\[([^\]]*)\])?\s*(.*)$`)
)

func (sqitch) Name() string     { return "sqitch" }
func (sqitch) Recursive() bool  { return true }
func (sqitch) Claim(File) Claim { return NoClaim }
func (sqitch) ClaimDir(dir string) (bool, string) {
	if _, err := os.Stat(filepath.Join(dir, SqitchPlanFile)); err == nil {
		return true, SqitchPlanFile + " in the folder: a Sqitch project"
	}
	return false, ""
}

func (sqitch) Parse(f File) ([]Migration, []Problem) {
	m := sqitchPath.FindStringSubmatch(f.Path)
	if m == nil {
		return nil, nil // not a change script (sqitch reads deploy/, revert/, verify/ only)
	}
	s, probs := wholeFile(f)
	mig := Migration{Version: m[2], Key: m[2], Name: m[2], Format: "sqitch"}
	switch m[1] {
	case "deploy":
		sum := sha1.Sum(f.Data)
		s.Checksum = hex.EncodeToString(sum[:])
		mig.Up, mig.hasUp = *s, true
	case "revert":
		mig.Down = s
	case "verify":
		mig.Verify = s
	}
	return []Migration{mig}, probs
}

// sqitchPlanned is one change line of sqitch.plan.
type sqitchPlanned struct {
	name                string
	line                int
	requires, conflicts []string
}

// readSqitchPlan reads the change lines of sqitch.plan.
func readSqitchPlan(dir string) ([]sqitchPlanned, []Problem) {
	b, err := os.ReadFile(filepath.Join(dir, SqitchPlanFile))
	if err != nil {
		return nil, []Problem{{Code: "unreadable", Severity: Error, File: SqitchPlanFile, Message: err.Error()}}
	}
	var out []sqitchPlanned
	var probs []Problem
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' || text[0] == '%' || text[0] == '@' {
			continue
		}
		m := sqitchChange.FindStringSubmatch(text)
		if m == nil {
			probs = append(probs, Problem{Code: "syntax", Severity: Error, File: SqitchPlanFile, Line: n,
				Message: fmt.Sprintf("not a change line: %q", text)})
			continue
		}
		if first, dup := seen[m[1]]; dup {
			probs = append(probs, Problem{Code: "duplicate-version", Severity: Error, File: SqitchPlanFile, Line: n,
				Message: fmt.Sprintf("change %s is planned twice (first at line %d): a reworked change, which rehearse does not read yet; rehearse the release before the rework, or name the rework differently", m[1], first)})
			continue
		}
		seen[m[1]] = n
		p := sqitchPlanned{name: m[1], line: n}
		for _, d := range strings.Fields(m[2]) {
			switch {
			case strings.Contains(d, ":"): // another project's change: not in this folder
			case strings.HasPrefix(d, "!"):
				p.conflicts = append(p.conflicts, strings.TrimPrefix(d, "!"))
			default:
				p.requires = append(p.requires, d)
			}
		}
		out = append(out, p)
	}
	return out, probs
}

// Finish joins each change's scripts and orders them as sqitch.plan does;
// a planned change without a deploy script, a dependency on a change not
// planned before it, and a conflict with a change deployed before it are
// errors (sqitch refuses to deploy).
func (sqitch) Finish(ms []Migration, opts Options) ([]Migration, []Problem) {
	planned, probs := readSqitchPlan(opts.Dir)
	merged, mp := merge(ms)
	probs = append(probs, mp...)
	byKey := map[string]*Migration{}
	for i := range merged {
		byKey[merged[i].Key] = &merged[i]
	}
	var out []Migration
	pos := map[string]int{}
	for i, p := range planned {
		pos[p.name] = i
		for _, r := range p.requires {
			if _, ok := pos[strings.SplitN(r, "@", 2)[0]]; !ok {
				probs = append(probs, Problem{Code: "dependency", Severity: Error, File: SqitchPlanFile, Line: p.line,
					Message: fmt.Sprintf("change %s requires %s, which is not planned before it: sqitch refuses the plan", p.name, r)})
			}
		}
		for _, c := range p.conflicts {
			if _, ok := pos[c]; ok {
				probs = append(probs, Problem{Code: "dependency", Severity: Error, File: SqitchPlanFile, Line: p.line,
					Message: fmt.Sprintf("change %s conflicts with %s, which is deployed before it: sqitch deploy refuses %s", p.name, c, p.name)})
			}
		}
		m := byKey[p.name]
		if m == nil || !m.hasUp {
			probs = append(probs, Problem{Code: "no-deploy", Severity: Error, File: SqitchPlanFile, Line: p.line,
				Message: fmt.Sprintf("change %s has no deploy/%s.sql: sqitch deploy stops here", p.name, p.name)})
			continue
		}
		m.Requires, m.Conflicts, m.order = p.requires, p.conflicts, i+1
		m.Up.Line = 1
		out = append(out, *m)
	}
	for i := range merged {
		if _, ok := pos[merged[i].Key]; !ok && merged[i].hasUp {
			probs = append(probs, Problem{Code: "not-planned", Severity: Warning, File: merged[i].Up.File, Line: 1,
				Message: fmt.Sprintf("change %s is not in sqitch.plan: sqitch never deploys it", merged[i].Key)})
		}
	}
	return out, probs
}

func (sqitch) Less(a, b *Migration) bool { return a.order < b.order }

func (sqitch) HistoryKey(version, _ string) string { return version }

func (sqitch) History() History {
	return History{Readers: []string{"sqitch"}, Table: "sqitch.changes", Checksum: true,
		ChecksumNote: "sqitch does not redeploy it (rework the change to change it)"}
}
