package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/scenarios"
	"github.com/rehearse/rehearse/snapshot"
)

func TestScenariosList(t *testing.T) {
	code, out, errOut := runRehearse(t, nil, "scenarios", "list")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, s := range scenarios.All() {
		if !strings.Contains(out, s.Name) || !strings.Contains(out, s.Variants[0].Outcome) {
			t.Errorf("list lacks %s or its expected outcome:\n%s", s.Name, out)
		}
	}
	code, out, _ = runRehearse(t, nil, "scenarios", "list", "--json")
	var list []scenarioJSON
	if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != len(scenarios.All()) {
		t.Fatalf("list --json (exit %d):\n%s", code, out)
	}
	if list[0].Name != "unique-index-rerun" || !list[0].Flagship || list[0].DefaultScale <= 0 || list[0].Variants[1].Name != "fixed" || list[0].Story == "" {
		t.Errorf("first entry %+v", list[0])
	}
}

func TestScenariosShow(t *testing.T) {
	code, out, errOut := runRehearse(t, nil, "scenarios", "show", "unique-index-rerun")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"4,200,000 rows in production", "CREATE TABLE `investments`", // schema with statistics
		"migration history at 20240301",
		"20240306_unique_account_fund_day.up.sql  (pending)", "DROP INDEX uq_investments_account_fund", // migrations
		"20240102_create_investments.up.sql  (applied in production)",
		"Injected faults: long-txn=investments:6s@20240306", // faults
		"What to look for", "statement 20240306#1 lock_wait_s >= 5", // expectations
		"https://github.com/code-dot-org/code-dot-org/pull/67430",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q", want)
		}
	}
	if strings.Index(out, "20240306_unique_account_fund_day.up.sql") > strings.Index(out, "20240306_unique_account_fund_day.down.sql") {
		t.Error("the down is shown before its up")
	}
	code, out, _ = runRehearse(t, nil, "scenarios", "show", "unique-index-rerun", "--fixed")
	if code != exitOK || !strings.Contains(out, "ALGORITHM=INPLACE, LOCK=NONE") || !strings.Contains(out, "Injected faults: none") {
		t.Errorf("show --fixed (exit %d):\n%s", code, out)
	}
	code, out, _ = runRehearse(t, nil, "scenarios", "show", "3", "--variant", "staging")
	if code != exitOK || !strings.Contains(out, "staging.json") || !strings.Contains(out, "loyalty_tier") {
		t.Errorf("show 3 --variant staging (exit %d):\n%s", code, out)
	}
}

func TestScenariosBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"scenarios", "show", "nope"},
		{"scenarios", "show", "mdl-pileup", "--variant", "staging"},
		{"scenarios", "show", "mdl-pileup", "--fixed", "--variant", "unsafe"},
		{"scenarios", "export", "nope", t.TempDir()},
		{"scenarios", "run", "nope"},
		{"scenarios", "run", "mdl-pileup", "--scale", "-1"},
		{"scenarios", "show"},
		{"scenarios", "export", "mdl-pileup", t.TempDir(), "--flavor", "oracle"},
	} {
		code, out, errOut := runRehearse(t, nil, args...)
		if code != exitError || out != "" || !strings.Contains(errOut, "rehearse: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	_, _, errOut := runRehearse(t, nil, "scenarios", "show", "nope")
	if !strings.Contains(errOut, "Try: use one of: unique-index-rerun") {
		t.Errorf("unknown scenario: no hint listing the names:\n%s", errOut)
	}
}

func TestScenariosExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repro")
	code, out, errOut := runRehearse(t, nil, "scenarios", "export", "half-applied-migration", dir, "--fixed")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, filepath.Join(dir, "rehearse.yaml")) || !strings.Contains(errOut, "rehearse run --config rehearse.yaml") {
		t.Errorf("export output:\n%s\n%s", out, errOut)
	}
	if _, err := snapshot.LoadFile(filepath.Join(dir, "snapshot.json")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "migrations", "20240503_index_acl_parent_id.up.sql")); err != nil {
		t.Errorf("the fixed variant's migrations were not exported: %v", err)
	}
	code, _, errOut = runRehearse(t, nil, "scenarios", "export", "half-applied-migration", dir)
	if code != exitError || !strings.Contains(errOut, "--force") {
		t.Errorf("export over an export: exit %d, %s", code, errOut)
	}
	// --force replaces it: the fixed variant's extra migration goes.
	code, _, errOut = runRehearse(t, nil, "scenarios", "export", "half-applied-migration", dir, "--force")
	if code != exitOK || !strings.Contains(errOut, "removed") || !strings.Contains(errOut, "20240503_index_acl_parent_id.up.sql") {
		t.Errorf("export --force over the fixed variant: exit %d, %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "migrations", "20240503_index_acl_parent_id.up.sql")); err == nil {
		t.Errorf("the fixed variant's migration was left behind")
	}
}
