package rules

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
	"github.com/rehearse/rehearse/snapshot"
)

// fixture: one pending migration on a 4.2M-row table that does a lot.
func fixture() *plan.RuleContext {
	big := &plan.TableRef{Schema: "app", Name: "users", Rows: 4_200_000}
	pm := plan.PendingMigration{Key: "7", File: "7_x.up.sql", Statements: []plan.StatementPlan{
		{File: "7_x.up.sql", Line: 1, Kind: "ddl", Analysed: true, Table: big, Ops: []plan.Op{{Class: plan.OpNarrowType, Object: "c",
			Narrowing: &plan.Narrowing{From: "varchar(20)", To: "varchar(5)", Kind: "length", Error: 1265, Over: "values up to 15 characters (statistics) do not fit in 5"}}},
			Predicted: &plan.Algo{Algorithm: plan.Copy, Lock: plan.LockShared, Rebuild: true}},
		{File: "7_x.up.sql", Line: 2, Kind: "ddl", Analysed: true, Table: big, Ops: []plan.Op{{Class: plan.OpAddUnique, Object: "u", Key: key("code")},
			{Class: plan.OpAddForeignKey, Object: "fk_tier", Ref: &plan.ForeignRef{Columns: []string{"tier"}, Table: "tiers", RefColumns: []string{"id"}}}},
			Predicted: &plan.Algo{Algorithm: plan.InPlace, Lock: plan.LockNone}},
		{File: "7_x.up.sql", Line: 3, Kind: "ddl", Analysed: true, Table: big, Ops: []plan.Op{{Class: plan.OpDropColumn, Object: "old"}, {Class: plan.OpAddColumn, Object: "n", Detail: "int NOT NULL without DEFAULT"}}},
		{File: "7_x.up.sql", Line: 4, Kind: "dml", Analysed: true, Table: big, Ops: []plan.Op{{Class: plan.OpUpdate}}},
	}, Down: &plan.DownInfo{File: "7_x.down.sql", Line: 1, Statements: 1, Ops: []plan.Op{{Class: plan.OpDropIndex, Object: "u"}}}}
	m := &migrations.Migration{Key: "7", Up: migrations.Script{File: "7_x.up.sql", Line: 1, Statements: make([]sqlsplit.Statement, 4)},
		Down: &migrations.Script{File: "7_x.down.sql", Line: 1}}
	return &plan.RuleContext{Plan: &plan.Plan{Pending: []plan.PendingMigration{pm}}, Pending: []*migrations.Migration{m},
		Snapshot: &snapshot.Snapshot{Settings: map[string]string{"lock_wait_timeout": "31536000"},
			Schemas: []snapshot.Schema{{Name: "app", Tables: []snapshot.Table{usersTable(),
				{Name: "tiers", Stats: snapshot.TableStats{ExactRows: i64(0)}, Columns: []snapshot.Column{{Name: "id", DataType: "tinyint", Type: "tinyint"}}}}}}}}
}

func TestEveryRuleFires(t *testing.T) {
	want := map[string]int{"RH101": 1, "RH102": 1, "RH103": 1, "RH104": 2, "RH105": 1, "RH106": 1, "RH107": 1, "RH108": 1, "RH109": 1, "RH110": 1, "RH111": 1, "RH112": 1}
	if len(All()) != len(want) {
		t.Fatalf("%d rules registered, want %d", len(All()), len(want))
	}
	for _, r := range All() {
		c := fixture()
		got := r.Check(c)
		if len(got) != want[r.Code()] {
			t.Errorf("%s: %d findings, want %d: %+v", r.Code(), len(got), want[r.Code()], got)
		}
		for _, f := range got {
			if f.Message == "" || f.File == "" || f.Migration != "7" {
				t.Errorf("%s: finding without message/location: %+v", r.Code(), f)
			}
		}
	}
}

func TestThresholdAndQuietCases(t *testing.T) {
	c := fixture()
	c.Config = plan.RuleConfig{Options: map[string]any{"large_table_rows": 10_000_000}}
	if got := (rh101{}).Check(c); len(got) != 0 {
		t.Errorf("RH101 below the configured threshold: %+v", got)
	}
	c = fixture()
	c.Snapshot.Settings["lock_wait_timeout"] = "50"
	if got := (rh109{}).Check(c); len(got) != 0 {
		t.Errorf("RH109 with a short lock_wait_timeout: %+v", got)
	}
	c = fixture()
	c.Plan.Pending[0].Down.Ops = nil
	c.Plan.Pending[0].Statements[1].Ops = []plan.Op{{Class: plan.OpAddIndex, Object: "u"}}
	if got := (rh108{}).Check(c); len(got) != 1 {
		t.Errorf("RH108 with a down that does not drop the index: %+v", got)
	}
	c = fixture()
	c.Pending[0].Down.Statements = make([]sqlsplit.Statement, 1)
	if got := (rh107{}).Check(c); len(got) != 0 {
		t.Errorf("RH107 with a real down: %+v", got)
	}
}

// TestNarrowingFindings: what RH103 and RH111 say under production's
// sql_mode, after a statement that fixes the values, and for a down.
func TestNarrowingFindings(t *testing.T) {
	c := fixture()
	c.Snapshot.Settings["sql_mode"] = "NO_ENGINE_SUBSTITUTION"
	if got := (rh111{of(codes.NarrowedValues)}).Check(c); len(got) != 1 || !strings.Contains(got[0].Message, "cut silently under production's sql_mode (not strict)") {
		t.Errorf("RH111 without strict mode: %+v", got)
	}
	// An UPDATE of the table before the narrowing: the statistics predate it.
	c = fixture()
	sts := c.Plan.Pending[0].Statements
	c.Plan.Pending[0].Statements = []plan.StatementPlan{sts[3], sts[0]}
	if got := (rh111{of(codes.NarrowedValues)}).Check(c); len(got) != 0 {
		t.Errorf("RH111 after an UPDATE of the table: %+v", got)
	}
	got := (rh103{of(codes.Destructive)}).Check(c)
	if len(got) != 1 || !strings.Contains(got[0].Message, "predate 7_x.up.sql:4") || !strings.Contains(got[0].Message, "1265 Data truncated") {
		t.Errorf("RH103 after an UPDATE of the table: %+v", got)
	}
	// A down that narrows back.
	c = fixture()
	c.Plan.Pending[0].Statements = c.Plan.Pending[0].Statements[1:2]
	c.Plan.Pending[0].Down.Ops = []plan.Op{{Class: plan.OpColumnCharset, Object: "name",
		Narrowing: &plan.Narrowing{From: "varchar(20)", To: "varchar(20)", Kind: "characters", Error: 1366, Unknown: "the statistics do not show"}}}
	got = (rh103{of(codes.Destructive)}).Check(c)
	if len(got) != 1 || got[0].File != "7_x.down.sql" || !strings.Contains(got[0].Message, "the down narrows name") || !strings.Contains(got[0].Message, "1366") {
		t.Errorf("RH103 on a narrowing down: %+v", got)
	}
}
