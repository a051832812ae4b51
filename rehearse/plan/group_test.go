package plan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/plan/rules"
	"github.com/rehearse/rehearse/reports"
	"github.com/rehearse/rehearse/snapshot"
)

// TestOneFindingPerRule: a release of eight DDL migrations on a server
// whose lock_wait_timeout is a year gives RH109 once, listing the eight
// statements (it gave eight identical warnings), in the plan and in every
// renderer of plans; the error on the largest table comes first, and the
// table and Markdown outputs lead with it.
func TestOneFindingPerRule(t *testing.T) {
	snap := &snapshot.Snapshot{Format: snapshot.FormatV1, Source: snapshot.Source{Flavor: "mysql", Version: "9.7.4"},
		Settings: map[string]string{"lock_wait_timeout": "31536000"},
		Schemas: []snapshot.Schema{{Name: "app", Charset: "utf8mb4", Tables: []snapshot.Table{
			{Name: "small", Columns: []snapshot.Column{{Name: "id", DataType: "int", Type: "int"}}, Stats: snapshot.TableStats{Rows: 10}},
			{Name: "big", Columns: []snapshot.Column{{Name: "id", DataType: "int", Type: "int"}, {Name: "n", DataType: "int", Type: "int"}}, Stats: snapshot.TableStats{Rows: 8_000_000}},
		}}}}
	dir := t.TempDir()
	for i := 1; i <= 8; i++ {
		up := fmt.Sprintf("ALTER TABLE small ADD COLUMN c%d INT;\n", i)
		if i == 8 {
			up = "ALTER TABLE big MODIFY n BIGINT;\n" // a table copy blocking writes on 8M rows: RH101
		}
		write(t, dir, fmt.Sprintf("%06d_m.up.sql", i), up)
		write(t, dir, fmt.Sprintf("%06d_m.down.sql", i), "SELECT 1;\n")
	}
	set, err := migrations.Load(context.Background(), migrations.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Build(context.Background(), plan.Options{Snapshot: snap, Migrations: set, Rules: rules.All()})
	if err != nil {
		t.Fatal(err)
	}
	var rh109 []plan.Finding
	for _, f := range p.Findings {
		if f.Code == codes.NoLockWaitTimeout {
			rh109 = append(rh109, f)
		}
	}
	if len(rh109) != 1 || len(rh109[0].Statements) != 8 {
		t.Fatalf("RH109: %d findings (want 1), places %+v (want 8)", len(rh109), rh109)
	}
	if f := p.Findings[0]; f.Code != codes.BlockingLargeTable || f.Severity != plan.SevError {
		t.Errorf("first finding %s %s, want the RH101 error", f.Code, f.Severity)
	}
	if p.Summary.Errors != 1 {
		t.Errorf("summary %+v", p.Summary)
	}
	out := map[string]string{}
	for _, format := range []string{"table", "md", "junit", "json"} {
		var b bytes.Buffer
		if err := reports.Render(&b, format, p, reports.Options{}); err != nil {
			t.Fatal(err)
		}
		out[format] = b.String()
		// once (table and Markdown: also in the summary of what matters first)
		if n := strings.Count(b.String(), "lock_wait_timeout=31536000 s"); n < 1 || n > 2 || (n == 2 && format != "table" && format != "md") {
			t.Errorf("%s: RH109's message %d times, want once", format, n)
		}
	}
	for _, format := range []string{"table", "md"} {
		lines := strings.Split(out[format], "\n")
		first := ""
		for _, l := range lines {
			if strings.Contains(l, "RH") {
				first = l
				break
			}
		}
		if !strings.Contains(first, "RH101") {
			t.Errorf("%s: the first finding line is %q, want the RH101 error", format, first)
		}
		if !strings.Contains(lines[0], "blocked: 1 error, ") && !strings.HasPrefix(lines[0], "BLOCKED  1 error, ") {
			t.Errorf("%s: the summary %q does not lead with the errors", format, lines[0])
		}
		if !strings.Contains(out[format], "at 8 places") {
			t.Errorf("%s: the grouped RH109 does not say its places", format)
		}
	}
	var doc struct {
		Findings []struct {
			Code       string `json:"code"`
			Statements []struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"statements"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out["json"]), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		if f.Code == codes.NoLockWaitTimeout && (len(f.Statements) != 8 || f.Statements[7].File != "000008_m.up.sql") {
			t.Errorf("JSON RH109 statements %+v", f.Statements)
		}
	}
	if !strings.Contains(out["junit"], "RH109 no lock_wait_timeout and production&#39;s default is one year (000001_m.up.sql:1 and 7 more)") {
		t.Errorf("JUnit: no one case for RH109 naming its places:\n%s", out["junit"])
	}
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
