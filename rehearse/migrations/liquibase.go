package migrations

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// liquibase reads Liquibase "formatted SQL" change logs: a file starting
// with "--liquibase formatted sql", change sets opened by
// "--changeset author:id [runInTransaction:false] [splitStatements:false]
// [endDelimiter:X]", rollbacks as "--rollback SQL" lines or a
// "/* liquibase rollback ... */" block ("--rollback not required" and
// "--rollback empty" are explicit empty rollbacks). Files are read in path
// order (like includeAll), change sets in file order. A change set is
// identified by id and author (Key "id::author").
type liquibase struct{}

func init() { Register(liquibase{}) }

var (
	lbHeader    = regexp.MustCompile(`(?i)^\s*--\s*liquibase\s+formatted\s+sql`)
	lbChangeset = regexp.MustCompile(`(?i)^--\s*changeset\s+([^:\s]+):(\S+)(.*)$`)
	lbRollback  = regexp.MustCompile(`(?i)^--\s*rollback\b\s?(.*)$`)
	lbDirective = regexp.MustCompile(`(?i)^--\s*(comment|preconditions?|precondition-[\w-]+|validchecksum|ignorelines|property|include\w*)\b`)
	lbBlockRB   = regexp.MustCompile(`(?i)^/\*\s*liquibase\s+rollback\b`)
	lbAttr      = regexp.MustCompile(`(\w+):(\S+)`)
)

func (liquibase) Name() string    { return "liquibase" }
func (liquibase) Recursive() bool { return true }

func (liquibase) Claim(f File) Claim {
	if lbHeader.Match(bytes.TrimLeft(f.Head, " \t\r\n")) {
		return MarkClaim
	}
	return NoClaim
}

// changeset is one change set while its file is read.
type changeset struct {
	mig       Migration
	line      int // line of --changeset
	bodyStart int // byte offset after the --changeset line
	bodyLine  int
	attrs     map[string]string
	rollback  []string
	rbLine    int
}

func (l liquibase) Parse(f File) ([]Migration, []Problem) {
	if !lbHeader.Match(bytes.TrimLeft(f.Data, " \t\r\n")) {
		return nil, []Problem{{Code: "no-header", Severity: Error, File: f.Path, Line: 1,
			Message: "not a Liquibase formatted SQL file: the first line must be \"--liquibase formatted sql\""}}
	}
	data := append([]byte(nil), f.Data...) // directive lines are blanked in this copy
	var out []Migration
	var probs []Problem
	var cur *changeset
	inRB := false
	closeSet := func(end int) {
		if cur == nil {
			return
		}
		m, p := cur.finish(f, data[cur.bodyStart:end])
		out, probs = append(out, m), append(probs, p...)
		cur = nil
	}
	line := 1
	for off := 0; off < len(data); line++ {
		next := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		text := strings.TrimSpace(string(data[off:next]))
		blank := true
		switch {
		case inRB:
			if i := strings.Index(text, "*/"); i >= 0 {
				text, inRB = text[:i], false
			}
			if cur != nil {
				cur.addRollback(text, line)
			}
		case lbHeader.MatchString(text):
		case lbChangeset.MatchString(text):
			closeSet(off)
			m := lbChangeset.FindStringSubmatch(text)
			cur = &changeset{line: line, bodyStart: next, bodyLine: line + 1, attrs: map[string]string{}}
			for _, a := range lbAttr.FindAllStringSubmatch(m[3], -1) {
				cur.attrs[strings.ToLower(a[1])] = a[2]
			}
			cur.mig = Migration{Version: m[2], Key: m[2] + "::" + m[1], Name: m[2], Author: m[1], Format: "liquibase",
				NoTransaction: strings.EqualFold(cur.attrs["runintransaction"], "false")}
		case lbRollback.MatchString(text):
			if cur != nil {
				cur.addRollback(lbRollback.FindStringSubmatch(text)[1], line)
			}
		case lbBlockRB.MatchString(text):
			rest := lbBlockRB.ReplaceAllString(text, "")
			inRB = !strings.Contains(rest, "*/")
			if cur != nil {
				cur.addRollback(strings.Split(rest, "*/")[0], line)
			}
		case lbDirective.MatchString(text):
		default:
			blank = false
			if cur == nil && text != "" && !strings.HasPrefix(text, "--") {
				probs = append(probs, Problem{Code: "outside-changeset", Severity: Error, File: f.Path, Line: line,
					Message: "SQL before the first --changeset: Liquibase would not run it"})
			}
		}
		if blank {
			for i := off; i < next; i++ {
				if data[i] != '\n' && data[i] != '\r' {
					data[i] = ' '
				}
			}
		}
		off = next
	}
	closeSet(len(data))
	if len(out) == 0 && len(probs) == 0 {
		probs = append(probs, Problem{Code: "no-changeset", Severity: Error, File: f.Path, Line: 1,
			Message: "no --changeset author:id line: the file holds no migration"})
	}
	return out, probs
}

func (c *changeset) addRollback(text string, line int) {
	if c.rbLine == 0 {
		c.rbLine = line
	}
	c.rollback = append(c.rollback, text)
}

// finish splits the change set body and its rollback.
func (c *changeset) finish(f File, body []byte) (Migration, []Problem) {
	var probs []Problem
	opts := sqlsplit.Options{File: f.Path, Line: c.bodyLine, Offset: f.Offset + int64(c.bodyStart)}
	if d := c.attrs["enddelimiter"]; d != "" {
		opts.Delimiter = d
	}
	var sts []sqlsplit.Statement
	if strings.EqualFold(c.attrs["splitstatements"], "false") {
		if st, ok := blockStatement(f, body, c.bodyStart, c.bodyLine); ok {
			sts = []sqlsplit.Statement{st}
		}
	} else {
		var err error
		if sts, err = sqlsplit.Split(body, opts); err != nil {
			probs = append(probs, splitProblem(f, err))
		}
	}
	m := c.mig
	m.Up, m.hasUp = Script{File: f.Path, Line: c.line, Statements: sts}, true
	m.Up.Checksum = sectionChecksum(&m.Up)
	if c.rbLine > 0 {
		rb := strings.TrimSpace(strings.Join(c.rollback, "\n"))
		down := &Script{File: f.Path, Line: c.rbLine}
		if !strings.EqualFold(rb, "not required") && !strings.EqualFold(rb, "empty") {
			var err error
			opts.Line, opts.Offset, opts.Delimiter = c.rbLine, 0, ""
			if down.Statements, err = sqlsplit.SplitString(rb, opts); err != nil {
				probs = append(probs, Problem{Code: "syntax", Severity: Error, File: f.Path, Line: c.rbLine,
					Message: fmt.Sprintf("rollback of change set %s: %v", c.mig.Key, err)})
			}
		}
		down.Checksum = sectionChecksum(down)
		m.Down = down
	}
	return m, probs
}

func (liquibase) Less(a, b *Migration) bool {
	if a.Up.File != b.Up.File {
		return a.Up.File < b.Up.File
	}
	return a.Up.Line < b.Up.Line
}

// HistoryKey: DATABASECHANGELOG's reader records Version=id and
// Name="file::author".
func (liquibase) HistoryKey(version, name string) string {
	author := name
	if i := strings.LastIndex(name, "::"); i >= 0 {
		author = name[i+2:]
	}
	return version + "::" + author
}

func (liquibase) History() History {
	return History{Readers: []string{"liquibase"}, Table: "DATABASECHANGELOG"}
}
