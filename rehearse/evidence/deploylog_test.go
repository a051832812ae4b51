package evidence

import (
	"strings"
	"testing"
	"time"
)

func TestDeployLogs(t *testing.T) {
	// golang-migrate's CLI, captured running the flagship scenario's
	// migrations (-verbose; then a failure without it, then the re-run).
	ev := readFiles(t, "deploy/golang-migrate-verbose.log")
	var done *DeployEvent
	for i, e := range ev.Deploy {
		if e.Version == "20240306" && e.Event == EventDone {
			done = &ev.Deploy[i]
		}
	}
	if done == nil || done.Tool != "golang-migrate" || done.Duration < 3*time.Second || done.At.IsZero() || !done.HasDate {
		t.Fatalf("golang-migrate: %+v", ev.Deploy)
	}
	ev = readFiles(t, "deploy/golang-migrate-failed.log")
	var fail bool
	for _, e := range ev.Deploy {
		fail = fail || e.Event == EventFail && strings.Contains(e.Error, "1205")
	}
	if !fail {
		t.Errorf("golang-migrate failure: %+v", ev.Deploy)
	}
	var untimed bool
	for _, p := range ev.Problems {
		untimed = untimed || strings.Contains(p.Message, "without a time")
	}
	if !untimed {
		t.Errorf("golang-migrate without -verbose prints no time, and no problem says so: %v", ev.Problems)
	}
	// Flyway and Liquibase cannot run here: these lines follow their
	// message formats (Spring Boot's log layout for Flyway).
	ev = readFiles(t, "deploy/flyway.log")
	if len(ev.Deploy) != 3 || ev.Deploy[2].Event != EventFail || !strings.Contains(ev.Deploy[2].Error, "1205") || ev.Deploy[1].Version != "20240306" {
		t.Errorf("flyway: %+v", ev.Deploy)
	}
	ev = readFiles(t, "deploy/liquibase.log")
	if len(ev.Deploy) != 4 || ev.Deploy[3].Duration != 69312*time.Millisecond || ev.Deploy[3].Version != "20240306" {
		t.Errorf("liquibase: %+v", ev.Deploy)
	}
}

// Malformed or partial evidence: every line not read as it stands is a
// problem naming its file and line, and the rest is used.
func TestPartialEvidence(t *testing.T) {
	full := readFiles(t, "mariadb/processlist.table.txt")
	if len(full.Samples) != 2 {
		t.Fatal("fixture")
	}
	dir := t.TempDir()
	text := mustRead(t, "mariadb/processlist.table.txt")
	lines := strings.Split(text, "\n")
	// A table cut in the middle of a row, a header with a column no
	// server has, and a time of day without a date.
	cut := strings.Join(lines[:len(lines)-4], "\n")
	cut = cut[:len(cut)-20]
	cut = strings.Replace(cut, "Mon Dec  7 15:40:26 UTC 2026", "15:40:26", 1)
	write(t, dir, "processlist.txt", cut)
	write(t, dir, "extra.tsv", strings.Replace(mustRead(t, "mariadb/processlist.batch.tsv"), "Progress", "Flux_capacitor", 2))
	write(t, dir, "deploy.log", "15:40:25 applying migration 20240306\n15:40:40 applied migration 20240306\n")
	ev, err := Read(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"processlist.txt:%: row cut short",
		"processlist.txt:%: the table that starts at line",
		"extra.tsv:2: unknown column(s) flux_capacitor: ignored",
		"deploy.log:1: 2 times without a date",
		"processlist.txt:%: capture time has no date",
	}
	for _, w := range want {
		pre, post, _ := strings.Cut(w, "%")
		found := false
		for _, p := range ev.Problems {
			s := p.String()
			found = found || strings.HasPrefix(s, pre) && strings.Contains(s, post)
		}
		if !found {
			t.Errorf("no problem %q in:\n%v", w, ev.Problems)
		}
	}
	// The rest is used: both captures of the cut table, the batch file's
	// captures, and the deploy lines placed on the captures' date.
	if n := len(ev.Samples); n < 4 {
		t.Errorf("%d samples read, want the cut table's 2 and the batch file's 2", n)
	}
	if len(ev.Deploy) != 2 || !ev.Deploy[0].HasDate || ev.Deploy[0].At.Year() != 2026 {
		t.Errorf("deploy events %+v: want them placed on the one date the captures show", ev.Deploy)
	}
}

func mustRead(t *testing.T, f string) string {
	t.Helper()
	return readFilesRaw(t, f)
}
