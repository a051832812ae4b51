package rules

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/snapshot"
)

func i64(v int64) *int64 { return &v }

// uniqueContext is a release of one statement adding key on table t of the
// snapshot (settings: strict sql_mode), after the statements before.
func uniqueContext(t snapshot.Table, op plan.Op, sql string, before ...plan.StatementPlan) *plan.RuleContext {
	ref := &plan.TableRef{Schema: "app", Name: t.Name, Rows: t.Stats.RowCount()}
	sts := append([]plan.StatementPlan{}, before...)
	sts = append(sts, plan.StatementPlan{File: "9_u.up.sql", Line: len(before) + 1, SQL: sql, Kind: "ddl", Analysed: true, Table: ref, Ops: []plan.Op{op}})
	return &plan.RuleContext{
		Plan: &plan.Plan{Pending: []plan.PendingMigration{{Key: "9", Version: "9", File: "9_u.up.sql", Statements: sts}}},
		Snapshot: &snapshot.Snapshot{Settings: map[string]string{"sql_mode": "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION"},
			Schemas: []snapshot.Schema{{Name: "app", Tables: []snapshot.Table{t}}}},
	}
}

func usersTable() snapshot.Table {
	return snapshot.Table{Name: "users", Stats: snapshot.TableStats{Rows: 4_200_000},
		Columns: []snapshot.Column{
			{Name: "id", DataType: "bigint", Type: "bigint"},
			// 10,000 sampled rows, 2% NULL, 9,500 distinct among the 9,800 non-null.
			{Name: "email", DataType: "varchar", Type: "varchar(255)", Nullable: true,
				Stats: &snapshot.ColumnStats{SampleRows: 10_000, NullFraction: 0.02, Distinct: 9_500, SampleDistinct: i64(9_500)}},
			// every sampled value distinct
			{Name: "login", DataType: "varchar", Type: "varchar(64)",
				Stats: &snapshot.ColumnStats{SampleRows: 10_000, Distinct: 4_200_000, SampleDistinct: i64(10_000)}},
			{Name: "status", DataType: "enum", Type: "enum('active','closed')",
				Stats: &snapshot.ColumnStats{SampleRows: 10_000, Distinct: 2, SampleDistinct: i64(2)}},
			{Name: "tier", DataType: "tinyint", Type: "tinyint(4)",
				Stats: &snapshot.ColumnStats{SampleRows: 10_000, Distinct: 5, SampleDistinct: i64(5)}},
			{Name: "code", DataType: "varchar", Type: "varchar(16)"},
			{Name: "ref", DataType: "varchar", Type: "varchar(16)"},
		},
		Indexes: []snapshot.Index{
			{Name: "PRIMARY", Primary: true, Unique: true, Columns: []snapshot.IndexColumn{{Name: "id", Cardinality: 4_200_000}}},
			{Name: "uq_login", Unique: true, Columns: []snapshot.IndexColumn{{Name: "login", Cardinality: 4_100_000}}},
			{Name: "ix_code", Columns: []snapshot.IndexColumn{{Name: "code", Cardinality: 12}}},
			{Name: "ix_ref", Columns: []snapshot.IndexColumn{{Name: "ref", Cardinality: 3_900_000}}},
		}}
}

func key(cols ...string) []plan.KeyPart {
	var out []plan.KeyPart
	for _, c := range cols {
		out = append(out, plan.KeyPart{Column: c})
	}
	return out
}

func TestRH110(t *testing.T) {
	unique := func(cols ...string) plan.Op { return plan.Op{Class: plan.OpAddUnique, Object: "u", Key: key(cols...)} }
	dml := plan.StatementPlan{File: "9_u.up.sql", Line: 1, Kind: "dml", Analysed: true, Table: &plan.TableRef{Name: "users"}, Ops: []plan.Op{{Class: plan.OpDelete}}}
	cases := []struct {
		name   string
		op     plan.Op
		sql    string
		before []plan.StatementPlan
		mod    func(*snapshot.Table, *plan.RuleContext)
		sev    plan.Severity // "" = no finding
		says   []string
	}{
		{name: "duplicates in the sample", op: unique("email"), sev: plan.SevError,
			says: []string{"10000 rows", "9800 non-null", "only 9500 distinct", "at least 300 duplicate(s)", "Exact evidence", "1062",
				"SELECT `email`, COUNT(*) FROM `users` WHERE `email` IS NOT NULL GROUP BY `email` HAVING COUNT(*) > 1 LIMIT 20"}},
		{name: "sample unique", op: unique("login"), mod: func(tb *snapshot.Table, _ *plan.RuleContext) { tb.Indexes = tb.Indexes[:1] }},
		{name: "an existing unique key inside the new one", op: unique("login", "email")},
		{name: "pigeonhole: ENUM x TINYINT under 10,000 sampled rows", op: unique("status", "tier"), sev: plan.SevError,
			says: []string{"at most 768 distinct", "ENUM of 2 values", "TINYINT: 256 values", "10000 rows the snapshot sampled"}},
		{name: "cardinality estimate far below the rows", op: unique("code"), sev: plan.SevWarning, says: []string{"cardinality estimate", "12", "not proof"}},
		{name: "cardinality estimate that cannot tell", op: unique("ref")},
		{name: "an earlier DELETE on the table", op: unique("email"), before: []plan.StatementPlan{dml}, sev: plan.SevWarning, says: []string{"predate 9_u.up.sql:1", "not proof"}},
		{name: "the same ALTER changes the column's collation", sql: "ALTER TABLE users MODIFY email varchar(255) COLLATE utf8mb4_bin, ADD UNIQUE (email)",
			op: unique("email"), sev: plan.SevWarning, says: []string{"this statement's change-column-collation"},
			mod: func(_ *snapshot.Table, c *plan.RuleContext) {
				sp := &c.Plan.Pending[0].Statements[0]
				sp.Ops = append([]plan.Op{{Class: plan.OpChangeCollation, Object: "email"}}, sp.Ops...)
			}},
		{name: "primary key over NULLs, strict", op: plan.Op{Class: plan.OpAddPrimaryKey, Key: key("email")}, sev: plan.SevError,
			says: []string{"200 of the 10000 rows", "NULL", "1138", "1265"}},
		{name: "primary key over NULLs, not strict", op: plan.Op{Class: plan.OpAddPrimaryKey, Key: key("email")}, sev: plan.SevWarning,
			says: []string{"not strict", "silently"}, mod: func(_ *snapshot.Table, c *plan.RuleContext) { c.Snapshot.Settings["sql_mode"] = "" }},
		{name: "an older snapshot without sample_distinct", op: unique("email"), sev: plan.SevError, says: []string{"at most 9500 distinct"},
			mod: func(tb *snapshot.Table, _ *plan.RuleContext) { tb.Columns[1].Stats.SampleDistinct = nil }},
		{name: "an older snapshot whose distinct was scaled", op: unique("login"),
			mod: func(tb *snapshot.Table, _ *plan.RuleContext) {
				tb.Columns[2].Stats.SampleDistinct = nil
				tb.Indexes = tb.Indexes[:1]
			}},
		{name: "ALTER IGNORE deletes instead of failing", op: unique("email"), sql: "ALTER IGNORE TABLE users ADD UNIQUE (email)", sev: plan.SevWarning,
			says: []string{"deletes every duplicate row but one"}},
		{name: "a functional key part", op: plan.Op{Class: plan.OpAddUnique, Key: []plan.KeyPart{{Expr: "lower(`email`)"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb := usersTable()
			sql := tc.sql
			if sql == "" {
				sql = "ALTER TABLE users ADD UNIQUE"
			}
			c := uniqueContext(tb, tc.op, sql, tc.before...)
			if tc.mod != nil {
				tc.mod(&c.Snapshot.Schemas[0].Tables[0], c)
			}
			got := (rh110{of(codes.UniqueDuplicates)}).Check(c)
			if tc.sev == "" {
				if len(got) != 0 {
					t.Fatalf("want no finding, got %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one %s finding, got %+v", tc.sev, got)
			}
			f := got[0]
			sev := f.Severity
			if sev == "" {
				sev = codes.Get(codes.UniqueDuplicates).Severity
			}
			if sev != tc.sev {
				t.Errorf("severity %s, want %s: %s", sev, tc.sev, f.Message)
			}
			all := f.Message + " " + f.Recommendation
			for _, s := range tc.says {
				if !strings.Contains(all, s) {
					t.Errorf("finding lacks %q:\n%s", s, all)
				}
			}
		})
	}
}

// TestRH102DefersToRH110: RH102's size-based warning stays quiet where the
// statistics prove duplicates (RH110's error) or an existing unique key
// already guarantees the new one.
func TestRH102DefersToRH110(t *testing.T) {
	for _, tc := range []struct {
		cols []string
		want int
	}{{[]string{"email"}, 0}, {[]string{"login", "email"}, 0}, {[]string{"code"}, 1}} {
		c := uniqueContext(usersTable(), plan.Op{Class: plan.OpAddUnique, Key: key(tc.cols...)}, "ALTER TABLE users ADD UNIQUE")
		if got := (rh102{of(codes.UniqueLargeTable)}).Check(c); len(got) != tc.want {
			t.Errorf("RH102 on %v: %d findings, want %d: %+v", tc.cols, len(got), tc.want, got)
		}
	}
}
