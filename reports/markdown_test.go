package reports

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rehearse/rehearse/rehearse/result"
)

// githubCommentLimit is the most characters a GitHub comment body holds.
const githubCommentLimit = 65_536

// bigReport is a release of n migrations of two statements each, with long
// SQL, a finding per migration, and one failure at the very end.
func bigReport(t testing.TB, n int) *result.Report {
	r := loadFixture(t, "pass")
	r.Migrations = nil
	r.Findings = nil
	r.Gates = nil
	for i := 0; i < n; i++ {
		v := fmt.Sprintf("2025%010d", i)
		m := result.Migration{Version: v, Name: fmt.Sprintf("change_%d", i), File: fmt.Sprintf("migrations/%s_change_%d.up.sql", v, i), Status: "applied", DurationS: 1.5}
		for j := 1; j <= 2; j++ {
			m.Statements = append(m.Statements, result.Statement{
				Index: j, Line: j * 3, SQL: "ALTER TABLE table_" + fmt.Sprint(i) + " ADD COLUMN c" + fmt.Sprint(j) + " VARCHAR(255) NULL, " + strings.Repeat("ADD INDEX idx_long_name_for_padding (a, b, c), ", 6) + "ALGORITHM=INPLACE, LOCK=NONE",
				Operation: "ADD COLUMN", Table: fmt.Sprintf("table_%d", i), TableRows: 100000, StartS: float64(i), DurationS: 0.7,
				Algorithm: "INPLACE", Status: "ok", LockWaitS: 0.002, WritersBlocked: 1, LongestStallS: 0.01,
				During: &result.Window{P99Ms: 7.1, Throughput: 199}, P99Ratio: 1.04, Rollback: "restores",
			})
		}
		r.Migrations = append(r.Migrations, m)
		r.Findings = append(r.Findings, result.Finding{Code: "RUN205", Severity: "info", Migration: v, Statement: 1, Table: m.Statements[0].Table,
			Message: "ADD INDEX ran INPLACE with LOCK=NONE; " + strings.Repeat("it rebuilt nothing and blocked no writer. ", 3), DocsURL: "docs/rules/RUN205.md"})
	}
	last := &r.Migrations[n-1].Statements[1]
	last.Status, last.Error, last.ErrorCode = "failed", "Error 1061 (42000): Duplicate key name 'idx_last'", 1061
	r.Verdict = result.Fail
	r.Reason = "migration " + r.Migrations[n-1].Version + " failed"
	r.Gates = []result.Gate{{Name: "max-lock-wait", Scope: stmtID(r.Migrations[n-1].Version, 1), Limit: "5s", Measured: "9s", Value: 9}}
	return r
}

func TestMarkdownUnderCommentLimitAt200Migrations(t *testing.T) {
	r := bigReport(t, 200)
	out := string(render(t, "md", r, Options{}))
	n := utf8.RuneCountInString(out)
	t.Logf("200 migrations (400 statements): %d characters", n)
	if n > githubCommentLimit {
		t.Fatalf("Markdown is %d characters, over GitHub's %d", n, githubCommentLimit)
	}
	last := r.Migrations[199].Version
	for _, want := range []string{
		"### ❌ Migration rehearsal FAILED",
		"Statements that need attention (of 400)",
		"`" + last + "#2`", // the failed statement, though it is the last one
		"`" + last + "#1`", // the statement whose gate failed
		"more statements are in the full report",
		"more findings are in the full report",
		"</details>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Errorf("unbalanced <details>: %d open, %d closed", strings.Count(out, "<details>"), strings.Count(out, "</details>"))
	}
	if strings.Count(out, "```")%2 != 0 {
		t.Error("an unclosed code fence")
	}
}

func TestMarkdownSmallBudgetStaysValid(t *testing.T) {
	out := string(render(t, "md", bigReport(t, 20), Options{MaxBytes: 8_000}))
	if n := utf8.RuneCountInString(out); n > 8_000 {
		t.Fatalf("%d characters with a budget of 8,000", n)
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Error("unbalanced <details>")
	}
}

func TestMarkdownEscapesTableCells(t *testing.T) {
	r := loadFixture(t, "pass")
	r.Migrations[0].Statements[0].Operation = "CREATE TABLE | <script>"
	out := string(render(t, "md", r, Options{}))
	if strings.Contains(out, "<script>") {
		t.Error("raw HTML from the document reached the Markdown")
	}
	if !strings.Contains(out, `CREATE TABLE \| &lt;script&gt;`) {
		t.Error("a pipe in a cell is not escaped")
	}
}
