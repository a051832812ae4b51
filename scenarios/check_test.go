package scenarios

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/result"
)

// sampleReport is a hand-built report shaped like a failed rehearsal: a
// DDL that waited 6 s, a half-applied migration, an app-compat failure.
func sampleReport() *result.Report {
	return &result.Report{
		Format: result.FormatV1, Verdict: result.Fail, Reason: "gate max-writer-stall failed",
		Inputs: result.Inputs{Flavor: "mariadb", Version: "10.11.19", MigrationIDs: []string{"20240305", "20240306"}},
		Migrations: []result.Migration{
			{Version: "20240306", Status: "applied", Statements: []result.Statement{
				{Index: 1, LockWaitS: 6.01, LongestStallS: 5.97, WritersBlocked: 4, DurationS: 6.05, Algorithm: "NOCOPY",
					During: &result.Window{P99Ms: 5900}},
				{Index: 2, DurationS: 1.2, Algorithm: "NOCOPY"},
			}},
			{Version: "20240501", Status: "failed", Statements: []result.Statement{
				{Index: 1}, {Index: 2, ErrorCode: 1364, Error: "Field 'acl_name' doesn't have a default value"},
			}, Partial: &result.Partial{Committed: []int{1}, FailedAt: 2, SchemaDiff: []string{"column fm_dns_acls.acl_parent_id added"}, DownRecovers: "no"}},
		},
		Rollback: &result.Rollback{Attempted: true, Restores: false, Migrations: []result.MigrationRollback{{Version: "20240901", Verdict: "data_lost"}}},
		AppCompat: &result.AppCompat{Checked: 3, Failures: []result.AppCompatIssue{
			{Table: "invoices", Kind: "insert", ErrorCode: 1054, Error: "Unknown column 'legacy_ref'"}}},
		Findings: []result.Finding{{Code: "RH005", Severity: "error", Migration: "20240306", Table: "investments", Message: "Applied outside the runner"}},
		Gates: []result.Gate{{Name: "max-writer-stall", Scope: "20240305#1", Passed: true, Value: 0.1},
			{Name: "max-writer-stall", Scope: "20240306#1", Passed: false, Value: 5.97}, {Name: "max-writer-stall", Scope: "20240306#2", Passed: true, Value: 0.2}},
		Injections: []result.Injection{{Kind: "long-txn", Spec: "investments:6s@20240306"}},
	}
}

func expect(t *testing.T, verdict string, lines ...string) *Expectations {
	t.Helper()
	var b strings.Builder
	b.WriteString("unsafe:\n")
	if verdict != "" {
		b.WriteString("  verdict: " + verdict + "\n")
	}
	b.WriteString("  assert:\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "{") {
			b.WriteString("    - " + l + "\n")
			continue
		}
		b.WriteString("    - '" + l + "'\n")
	}
	e, err := ParseExpectations("t/expect.yaml", []byte(b.String()), "unsafe")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCheckHolds(t *testing.T) {
	e := expect(t, "fail",
		"verdict == fail",
		"statement 20240306#1 lock_wait_s >= 5",
		"statement 20240306#1 longest_stall_s >= 0.9*lock_wait_s",
		"statement 20240306#1 during.p99_ms > 5000",
		"statement 20240306#1 algorithm != COPY",
		"statement 20240306#2 error_code == 0",
		"migration 20240306 status == applied",
		"migration 20240501 partial.committed == [1]",
		"migration 20240501 partial.failed_at == 2",
		"migration 20240501 partial.schema_diff contains acl_parent_id",
		"migration 20240501 partial.down_recovers == no",
		"statement 20240501#2 error contains acl_name",
		"rollback 20240901 verdict == data_lost",
		"report rollback.restores == false",
		"report inputs.migration_ids contains 20240305",
		"gate max-writer-stall passed == false",
		"gate max-writer-stall value >= 5.9",
		"gate max-writer-stall@20240305#1 passed == true",
		"finding RH0* present migration=20240306 severity=error",
		`finding * present message="outside the runner"`,
		"finding RH1* absent",
		"app_compat failure on table invoices code 1054",
		"injection long-txn present",
		"injection fail-at absent",
		`{that: "statement 20240306#1 algorithm == COPY", on: "mysql, mariadb>=11.2"}`,
	)
	if f := Check(sampleReport(), e); len(f) != 0 {
		for _, x := range f {
			t.Error(x)
		}
	}
}

func TestCheckFails(t *testing.T) {
	cases := map[string]string{
		"verdict == pass":                                                      `got "fail"`,
		"statement 20240306#1 lock_wait_s >= 7":                                "got 6.01",
		"statement 20240306#1 longest_stall_s >= 2*lock_wait_s":                "against 12.02",
		"statement 20240306#3 duration_s > 0":                                  "has no statement 3",
		"statement 20249999#1 duration_s > 0":                                  "not in the report",
		"migration 20240501 status == applied":                                 `got "failed"`,
		"migration 20240501 partial.committed == [1,2]":                        "[1]",
		"finding RH3* present":                                                 "RH005",
		"finding RH0* present table=accounts":                                  "expected a matching finding",
		"app_compat none":                                                      "invoices",
		"app_compat failure on table orders":                                   "no such failure",
		"rollback 20240306 verdict == restores":                                "no entry",
		"gate max-lock-wait passed == true":                                    "no gate",
		`{that: "statement 20240306#1 algorithm == COPY", on: "mariadb<11.2"}`: `got "NOCOPY"`,
	}
	for line, want := range cases {
		f := Check(sampleReport(), expect(t, "", line))
		if len(f) != 1 {
			t.Errorf("%s: %d failures, want 1", line, len(f))
			continue
		}
		if s := f[0].String(); !strings.Contains(s, want) || !strings.Contains(s, "t/expect.yaml:") {
			t.Errorf("%s: failure %q does not mention %q", line, s, want)
		}
	}
	if f := Check(nil, expect(t, "pass")); len(f) != 1 {
		t.Errorf("nil report: %v", f)
	}
}

func TestParseExpectationsErrors(t *testing.T) {
	cases := map[string]string{
		"unsafe:\n  verdict: maybe\n":                                      "verdict",
		"unsafe:\n  assert:\n    - statement 1 x >= 2\n":                   "VERSION#N",
		"unsafe:\n  assert:\n    - statement 1#1 duration_s >= many\n":     "no field \"many\"",
		"unsafe:\n  assert:\n    - frobnicate x == 1\n":                    "unknown subject",
		"unsafe:\n  assert:\n    - finding RH1 maybe\n":                    "present|absent",
		"unsafe:\n  assert:\n    - finding RH1 present colour=red\n":       "unknown filter",
		"unsafe:\n  assert:\n    - migration 1 status\n":                   "OP VALUE",
		"unsafe:\n  assert:\n    - {that: verdict == pass, on: oracle}\n":  "flavor",
		"fixed:\n  verdict: pass\n":                                        `no expectations for variant "unsafe"`,
		"unsafe:\n  assert:\n    - statement 1#1 lock_wait >= 1\n":         "lock_wait_s",
		"unsafe:\n  assert:\n    - migration 1 partial.committed.x == 1\n": "is a list",
		"- a\n": "mapping",
	}
	for doc, want := range cases {
		_, err := ParseExpectations("x.yaml", []byte(doc), "unsafe")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to mention %q", doc, err, want)
		}
	}
	_, err := ParseExpectations("x.yaml", []byte("unsafe:\n  assert:\n    - verdict == pass\n    - statement 1 x >= 2\n"), "unsafe")
	if err == nil || !strings.Contains(err.Error(), "x.yaml:4:") {
		t.Errorf("error %v does not name line 4", err)
	}
}

func TestTargets(t *testing.T) {
	cases := []struct {
		on, flavor, version string
		want                bool
	}{
		{"mariadb", "mariadb", "10.11.19", true},
		{"mysql", "mariadb", "10.11.19", false},
		{"mariadb<11.2", "mariadb", "10.11.19", true},
		{"mariadb<11.2", "mariadb", "11.8.3", false},
		{"mariadb>=11.2", "mariadb", "11.2.0", true},
		{"mariadb<11.2, mysql", "mysql", "9.7.0", true},
		{"mysql>=9", "mysql", "8.4.1", false},
		{"mysql=9.7", "mysql", "9.7.0-debian", true},
	}
	for _, c := range cases {
		got, err := targeted(c.on, c.flavor, c.version)
		if err != nil || got != c.want {
			t.Errorf("targeted(%q, %s %s) = %v, %v; want %v", c.on, c.flavor, c.version, got, err, c.want)
		}
	}
}

func TestFields(t *testing.T) {
	got := fields(`finding * present message="applied outside"  table=x`)
	want := []string{"finding", "*", "present", "message=applied outside", "table=x"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("fields = %q", got)
	}
}
