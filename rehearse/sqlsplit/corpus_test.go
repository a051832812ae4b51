package sqlsplit

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testcorpus"
)

func corpusFiles(t testing.TB, pattern string) []string {
	t.Helper()
	return testcorpus.Glob(t, pattern)
}

var createRoutine = regexp.MustCompile(`(?i)\bCREATE\s+(DEFINER\s*=\s*\S+\s+)?(PROCEDURE|FUNCTION|TRIGGER)\b`)

// TestCorpus splits every real file of the corpus: no error, the invariants
// hold, and every CREATE PROCEDURE/FUNCTION/TRIGGER in the text becomes one
// compound statement ending with END.
func TestCorpus(t *testing.T) {
	files := append(corpusFiles(t, "mattermost-mysql/*.sql"), corpusFiles(t, "*-schema/*.sql")...)
	var total, compound int
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sts, err := Split(src, Options{File: f})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		checkInvariants(t, src)
		routines := 0
		for _, s := range sts {
			if createRoutine.MatchString(s.Text) && !strings.Contains(strings.ToUpper(s.Text[:min(len(s.Text), 40)]), "DROP") {
				routines++
				if !s.Compound {
					t.Errorf("%s: routine not marked compound: %.60q", s.Pos(), s.Text)
				}
			}
			if s.Compound && strings.Contains(strings.ToUpper(s.Text), "BEGIN") &&
				!regexp.MustCompile(`(?i)END(\s*\*/)?$`).MatchString(s.Text) {
				t.Errorf("%s: compound statement does not end with END: ...%q", s.Pos(), s.Text[max(0, len(s.Text)-40):])
			}
		}
		if want := len(createRoutine.FindAll(stripComments(src), -1)); routines != want {
			t.Errorf("%s: %d routine statements, the text creates %d", f, routines, want)
		}
		total += len(sts)
		compound += routines
	}
	t.Logf("%d files, %d statements, %d routines", len(files), total, compound)
}

// stripComments removes -- line comments so commented-out DDL is not counted.
func stripComments(src []byte) []byte {
	return regexp.MustCompile(`(?m)^\s*--.*$`).ReplaceAll(src, nil)
}
