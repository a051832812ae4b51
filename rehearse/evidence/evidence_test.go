package evidence

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readFiles reads the named fixture files as one evidence folder.
func readFiles(t *testing.T, files ...string) *Evidence {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := Read(dir, Options{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return ev
}

// pileUp checks the captured pile-up (testdata/*/: an UPDATE left idle in
// its transaction, an ALTER TABLE queued behind it, three INSERTs and a
// SELECT behind the ALTER) in one sample.
func pileUp(t *testing.T, s Sample) {
	t.Helper()
	var ddl, writers, blockerIdle int
	for _, x := range s.Sessions {
		switch {
		case strings.HasPrefix(x.Info, "ALTER TABLE investments") && x.State == "Waiting for table metadata lock":
			ddl++
			if !x.HasTime {
				t.Errorf("%s:%d: the ALTER has no time", s.File, x.Line)
			}
		case strings.HasPrefix(x.Info, "INSERT INTO investments") && x.State == "Waiting for table metadata lock":
			writers++
		case x.Command == "Sleep" && x.DB == "app":
			blockerIdle++
		}
	}
	if ddl != 1 || writers != 3 || blockerIdle != 1 {
		t.Errorf("%s (%s) line %d: %d waiting ALTER, %d waiting INSERTs, %d idle sessions in app; want 1, 3, 1: %+v", s.File, s.Form, s.Line, ddl, writers, blockerIdle, s.Sessions)
	}
}

func TestProcesslistForms(t *testing.T) {
	for _, flavor := range []string{"mariadb", "mysql"} {
		for _, c := range []struct {
			file, form string
			samples    int
		}{
			{"processlist.table.txt", "table", 2},
			{"processlist.vertical.txt", "vertical", 2},
			{"processlist.batch.tsv", "batch", 2},
			{"processlist.json", "json", 1},
			{"threads.csv", "csv", 1},
		} {
			t.Run(flavor+"/"+c.file, func(t *testing.T) {
				ev := readFiles(t, flavor+"/"+c.file)
				if len(ev.Samples) != c.samples {
					t.Fatalf("%d samples, want %d (problems: %v)", len(ev.Samples), c.samples, ev.Problems)
				}
				for _, s := range ev.Samples {
					if s.Form != c.form {
						t.Errorf("form %s, want %s", s.Form, c.form)
					}
					pileUp(t, s)
					if c.form != "json" && s.At.IsZero() {
						t.Errorf("sample at line %d has no time (%s)", s.Line, s.AtSource)
					}
				}
				for _, p := range ev.Problems {
					if c.form == "json" && strings.Contains(p.Message, "no capture time") {
						continue // JSON_ARRAYAGG's output says nothing about when
					}
					t.Errorf("problem: %s", p)
				}
			})
		}
	}
}

func TestPtStalk(t *testing.T) {
	dir := filepath.Join("testdata", "mariadb", "pt-stalk")
	ev, err := Read(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.InnoDB) != 1 || len(ev.Samples) < 3 {
		t.Fatalf("%d InnoDB statuses and %d processlist samples, want 1 and every cycle", len(ev.InnoDB), len(ev.Samples))
	}
	// pt-stalk 3.2 writes no TS line in processlist: the df file's dates
	// each cycle, and the reader says so.
	said := false
	for _, p := range ev.Problems {
		said = said || strings.Contains(p.Message, "dated by the TS lines")
	}
	if !said {
		t.Errorf("no problem says how the captures were dated: %v", ev.Problems)
	}
	for i := 1; i < len(ev.Samples); i++ {
		if d := ev.Samples[i].At.Sub(ev.Samples[i-1].At).Seconds(); d < 0.5 || d > 3 {
			t.Errorf("cycle %d: %.3f s after the one before, want pt-stalk's cycles of about 1 s (2 when one ran late)", i, d)
		}
	}
	if !strings.HasPrefix(ev.ZoneSource, "pt-stalk") {
		t.Errorf("zone from %q, want pt-stalk's TS lines", ev.ZoneSource)
	}
}

func TestInnoDBStatus(t *testing.T) {
	for _, flavor := range []string{"mariadb", "mysql"} {
		t.Run(flavor, func(t *testing.T) {
			ev := readFiles(t, flavor+"/innodbstatus.txt")
			if len(ev.InnoDB) != 1 || ev.InnoDB[0].At.IsZero() {
				t.Fatalf("statuses %+v", ev.InnoDB)
			}
			var blocker *Transaction
			for i, x := range ev.InnoDB[0].Transactions {
				if x.Started && x.RowLocks > 0 {
					blocker = &ev.InnoDB[0].Transactions[i]
				}
			}
			if blocker == nil || blocker.ThreadID == 0 || blocker.Active < 1 {
				t.Fatalf("no open transaction with row locks and a thread: %+v", ev.InnoDB[0].Transactions)
			}
			var table bool
			for _, l := range blocker.Locks {
				table = table || (!l.Record && l.Schema == "app" && l.Table == "investments" && l.Mode == "IX")
			}
			if !table {
				t.Errorf("the blocker's locks %+v lack its IX lock on app.investments", blocker.Locks)
			}
			if len(ev.Problems) > 0 {
				t.Errorf("problems: %v", ev.Problems)
			}
		})
	}
}

func TestDigestExports(t *testing.T) {
	for _, flavor := range []string{"mariadb", "mysql"} {
		for _, f := range []string{"digests.csv", "digests.json"} {
			t.Run(flavor+"/"+f, func(t *testing.T) {
				ev := readFiles(t, flavor+"/"+f)
				var insert bool
				for _, d := range ev.Digests {
					if strings.HasPrefix(d.Text, "INSERT INTO `investments`") && d.Count >= 3 && d.FirstSeen != "" {
						insert = true
					}
				}
				if !insert {
					t.Errorf("no INSERT digest with its count and first-seen time: %+v", ev.Digests)
				}
				for _, p := range ev.Problems {
					t.Errorf("problem: %s", p)
				}
			})
		}
	}
}

func readFilesRaw(t *testing.T, f string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", f))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// golang-migrate sends a migration file whole: the client's table shows the
// statement over several lines (its comments included). The line breaks
// are kept, so the statement still parses (a comment does not swallow the
// DDL after it).
func TestTableRowOverLines(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "processlist.txt", readFilesRaw(t, "../../reproduce/testdata/seed-incident/processlist.txt"))
	ev, err := Read(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ev.Samples[0].Sessions {
		if x.State == "Waiting for table metadata lock" && strings.Contains(x.Info, "DROP INDEX") {
			if !strings.Contains(x.Info, "again.\nDROP INDEX uq_investments_account_fund ON investments") {
				t.Errorf("the statement's lines: %q", x.Info)
			}
			return
		}
	}
	t.Errorf("no waiting DROP INDEX in %+v", ev.Samples[0].Sessions)
}
