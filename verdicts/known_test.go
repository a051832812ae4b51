package verdicts

import (
	"fmt"
	"os"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// knownDefect is an entry of testdata/known-defects.yaml: mismatches the
// corpus shows today that an open issue item fixes. The test fails on a
// mismatch no entry lists, and on an entry whose checks no longer
// reproduce (remove it with the fix), so the list cannot go stale.
type knownDefect struct {
	Case     string   `yaml:"case"`
	Flavors  []string `yaml:"flavors"` // default: every flavor the case runs on
	Checks   []string `yaml:"checks"`  // globs over mismatch names ("run 20240201000000#1 *", "verdict")
	Item     string   `yaml:"item"`    // the issue item that fixes it: "12.1"
	Engineer string   `yaml:"engineer"`
	Note     string   `yaml:"note"`
}

func loadKnown(file string, cases map[string]*Case) ([]knownDefect, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var list []knownDefect
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for i, k := range list {
		c := cases[k.Case]
		switch {
		case c == nil:
			return nil, fmt.Errorf("%s: entry %d: no case %q", file, i+1, k.Case)
		case len(k.Checks) == 0 || k.Item == "" || k.Engineer == "" || k.Note == "":
			return nil, fmt.Errorf("%s: entry %d (%s): checks, item, engineer and note are required", file, i+1, k.Case)
		}
		for _, g := range k.Checks {
			if _, err := path.Match(g, ""); err != nil {
				return nil, fmt.Errorf("%s: entry %d (%s): check %q: %w", file, i+1, k.Case, g, err)
			}
		}
		if len(k.Flavors) == 0 {
			for _, f := range Flavors {
				if c.Runs(f) {
					list[i].Flavors = append(list[i].Flavors, f)
				}
			}
		}
	}
	return list, nil
}

func (k knownDefect) on(flavor string) bool {
	for _, f := range k.Flavors {
		if f == flavor {
			return true
		}
	}
	return false
}

// matches tells whether glob (path.Match syntax: "run *" is every check
// of the run) names the check.
func matches(glob, check string) bool {
	ok, _ := path.Match(glob, check)
	return ok
}

// known returns the entry listing a mismatch of case c on flavor, or nil.
func known(list []knownDefect, c, flavor string, m mismatch) *knownDefect {
	for i := range list {
		k := &list[i]
		if k.Case != c || !k.on(flavor) {
			continue
		}
		for _, g := range k.Checks {
			if matches(g, m.Check) {
				return k
			}
		}
	}
	return nil
}

// stale lists the entries (and checks) that match no mismatch of the
// judgements they cover.
func stale(list []knownDefect, js []*judgement) []string {
	var out []string
	for _, k := range list {
		for _, f := range k.Flavors {
			var j *judgement
			for _, x := range js {
				if x.Case.Name == k.Case && x.Flavor == f {
					j = x
				}
			}
			if j == nil || j.Err != nil {
				continue // not judged here (flavor deselected or setup failed)
			}
			for _, g := range k.Checks {
				hit := false
				for _, m := range j.Mismatches {
					hit = hit || matches(g, m.Check)
				}
				if !hit {
					out = append(out, fmt.Sprintf("%s on %s: %q no longer reproduces (item %s, %s): remove it from known-defects.yaml", k.Case, f, g, k.Item, k.Engineer))
				}
			}
		}
	}
	return out
}
