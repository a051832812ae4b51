package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/result"
)

const reportFixtures = "../../reports/testdata"

func TestReportTableToStdout(t *testing.T) {
	code, out, errOut := runRehearseInput(t, "", "report", filepath.Join(reportFixtures, "fail.json"))
	if code != 0 || !strings.HasPrefix(out, "FAIL") || strings.Contains(out, "\x1b[") {
		t.Fatalf("exit %d, stderr %q, stdout starts %q", code, errOut, firstLineOf(out))
	}
}

func TestReportOutDirWritesEveryFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, _, errOut := runRehearseInput(t, "", "report", filepath.Join(reportFixtures, "partial.json"),
		"--format", "md,junit,html,json,prom,table", "--out-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, f := range []string{"report.md", "junit.xml", "report.html", "report.json", "metrics.prom", "report.txt"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
		if !strings.Contains(errOut, "wrote "+filepath.Join(dir, f)) {
			t.Errorf("stderr does not say it wrote %s", f)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 6 {
		t.Errorf("%d files in --out-dir, want 6 (no temporary files left)", len(entries))
	}
	// report.json is the document itself.
	var in, back result.Report
	raw, _ := os.ReadFile(filepath.Join(reportFixtures, "partial.json"))
	json.Unmarshal(raw, &in)
	raw, _ = os.ReadFile(filepath.Join(dir, "report.json"))
	if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(in, back) {
		t.Errorf("report.json does not round-trip: %v", err)
	}
}

func TestReportOutputFileAndStdin(t *testing.T) {
	raw, _ := os.ReadFile(filepath.Join(reportFixtures, "pass.json"))
	path := filepath.Join(t.TempDir(), "r.html")
	code, out, errOut := runRehearseInput(t, string(raw), "report", "-", "--format", "html", "-o", path)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(b, []byte(`<svg class="timeline"`)) {
		t.Errorf("%s: %v", path, err)
	}
}

func TestReportBadInput(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "x.json")
	os.WriteFile(notJSON, []byte("{\n  \"format\": \"rehearse.report/v1\",\n  \"migrations\": [ oops ]\n}\n"), 0o644)
	future := filepath.Join(dir, "future.json")
	os.WriteFile(future, []byte(`{"format":"rehearse.report/v2"}`), 0o644)
	fixture := filepath.Join(reportFixtures, "fail.json")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"report", filepath.Join(dir, "missing.json")}, "missing.json"},
		{[]string{"report", notJSON}, "line 3, column"},
		{[]string{"report", future}, `"rehearse.report/v2" document`},
		{[]string{"report", fixture, "--format", "xml"}, `"xml" is not a format`},
		{[]string{"report", fixture, "--format", "md,junit"}, "no --out-dir"},
		{[]string{"report", fixture, "--format", "md,junit", "-o", filepath.Join(dir, "a")}, "-o writes one format"},
		{[]string{"report"}, "accepts 1 arg"},
	}
	for _, c := range cases {
		code, out, errOut := runRehearseInput(t, "", c.args...)
		if code != exitError || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q (want exit 2 and %q)", c.args, code, out, errOut, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("bad input left files behind: %v", entries)
	}
}

// --out-dir that cannot be created fails with a hint and writes nothing.
func TestReportUnwritableOutDir(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	code, _, errOut := runRehearseInput(t, "", "report", filepath.Join(reportFixtures, "fail.json"), "--format", "md,html", "--out-dir", filepath.Join(blocker, "out"))
	if code != exitError || !strings.Contains(errOut, "Try:") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// A password in the document never reaches a file the command writes.
func TestReportMasksPasswords(t *testing.T) {
	raw, _ := os.ReadFile(filepath.Join(reportFixtures, "error.json"))
	var r result.Report
	json.Unmarshal(raw, &r)
	r.Errors = append(r.Errors, result.ErrorEntry{Phase: "provision", Message: "connect app:hunter2-secret@tcp(10.0.0.5:3306)/app: refused"})
	raw, _ = json.Marshal(&r)
	dir := t.TempDir()
	code, out, errOut := runRehearseInput(t, string(raw), "report", "-", "--format", "table,md,junit,html,json,prom", "--out-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out+errOut, "hunter2") {
		t.Error("the password reached the terminal")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if bytes.Contains(b, []byte("hunter2")) {
			t.Errorf("%s contains the password", e.Name())
		}
	}
}

func TestCheckFormats(t *testing.T) {
	if names, err := checkFormats(" MD , junit,md", "out"); err != nil || strings.Join(names, ",") != "md,junit" {
		t.Errorf("got %v, %v", names, err)
	}
	var ue usageError
	if _, err := checkFormats("table,json", ""); !errors.As(err, &ue) {
		t.Errorf("several formats without --out-dir: %v", err)
	}
}

func firstLineOf(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func TestReportRendersADiff(t *testing.T) {
	code, out, errOut := runRehearseInput(t, "", "report", filepath.Join(reportFixtures, "diff.json"))
	if code != 0 || !strings.HasPrefix(out, "DRIFT") {
		t.Fatalf("exit %d, stderr %q, stdout %q", code, errOut, firstLineOf(out))
	}
	code, _, errOut = runRehearseInput(t, "", "report", filepath.Join(reportFixtures, "diff.json"), "--format", "prom")
	if code != exitError || !strings.Contains(errOut, "snapshot diff") {
		t.Errorf("prom for a diff: exit %d, %q", code, errOut)
	}
}

func TestReportRendersAPlan(t *testing.T) {
	code, out, errOut := runRehearseInput(t, "", "report", filepath.Join(reportFixtures, "plan.json"))
	if code != 0 || !strings.HasPrefix(out, "BLOCKED") {
		t.Fatalf("exit %d, stderr %q, stdout %q", code, errOut, firstLineOf(out))
	}
}
