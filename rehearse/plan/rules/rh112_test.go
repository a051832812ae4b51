package rules

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/snapshot"
)

func str(s string) *string { return &s }

// TestRH112 judges a foreign key added from orders.customer_id to
// customers.id against the statistics (the verdicts case
// foreign-key-orphans' numbers: orders name customers up to 3000, the
// customers table holds 1 to 1000).
func TestRH112(t *testing.T) {
	orders := func() snapshot.Table {
		return snapshot.Table{Name: "orders", Stats: snapshot.TableStats{Rows: 5000},
			Columns: []snapshot.Column{{Name: "customer_id", DataType: "int", Type: "int",
				Stats: &snapshot.ColumnStats{SampleRows: 5000, Min: str("1"), Max: str("3000")}}}}
	}
	customers := func(exact bool) snapshot.Table {
		c := snapshot.Table{Name: "customers", Stats: snapshot.TableStats{Rows: 1000},
			Columns: []snapshot.Column{{Name: "id", DataType: "int", Type: "int",
				Stats: &snapshot.ColumnStats{SampleRows: 1000, Min: str("1"), Max: str("1000")}}}}
		if exact {
			c.Stats.ExactRows = i64(1000)
		}
		return c
	}
	fk := plan.Op{Class: plan.OpAddForeignKey, Object: "fk", Ref: &plan.ForeignRef{Columns: []string{"customer_id"}, Table: "customers", RefColumns: []string{"id"}}}
	cases := []struct {
		name string
		op   plan.Op
		mod  func(o, c *snapshot.Table)
		sev  plan.Severity
		says []string
	}{
		{name: "values past the parent's maximum", op: fk, sev: plan.SevError,
			says: []string{"orders.customer_id reaches 3000", "customers.id stops at 1000 over all its 1000 rows", "Exact evidence", "1452"}},
		{name: "an estimated parent count", op: fk, mod: func(_, c *snapshot.Table) { c.Stats.ExactRows = nil }, sev: plan.SevWarning, says: []string{"not proof"}},
		{name: "within the parent's range", op: fk, mod: func(o, _ *snapshot.Table) { o.Columns[0].Stats.Max = str("900") }},
		{name: "below the parent's minimum", op: fk, mod: func(o, _ *snapshot.Table) { o.Columns[0].Stats.Min = str("0"); o.Columns[0].Stats.Max = str("900") },
			sev: plan.SevError, says: []string{"goes down to 0", "starts at 1"}},
		{name: "a parent sampled in part", op: fk, mod: func(_, c *snapshot.Table) { c.Columns[0].Stats.SampleRows = 500 }},
		{name: "an empty parent", op: fk, mod: func(_, c *snapshot.Table) { c.Stats.Rows, c.Stats.ExactRows = 0, i64(0) }, sev: plan.SevError, says: []string{"customers is empty"}},
		{name: "checks off", op: plan.Op{Class: plan.OpAddForeignKeyNC, Ref: fk.Ref}},
		{name: "no statistics", op: fk, mod: func(o, _ *snapshot.Table) { o.Columns[0].Stats = nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, c := orders(), customers(true)
			if tc.mod != nil {
				tc.mod(&o, &c)
			}
			ctx := uniqueContext(o, tc.op, "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id)")
			ctx.Snapshot.Schemas[0].Tables = append(ctx.Snapshot.Schemas[0].Tables, c)
			got := (rh112{of(codes.ConstraintViolated)}).Check(ctx)
			if tc.sev == "" {
				if len(got) > 0 {
					t.Fatalf("want no finding, got %q", got[0].Message)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one finding, got %d", len(got))
			}
			sev := got[0].Severity
			if sev == "" {
				sev = codes.Get(codes.ConstraintViolated).Severity
			}
			if sev != tc.sev {
				t.Errorf("severity %s, want %s: %s", sev, tc.sev, got[0].Message)
			}
			for _, s := range tc.says {
				if !strings.Contains(got[0].Message, s) {
					t.Errorf("message lacks %q: %s", s, got[0].Message)
				}
			}
		})
	}
}

// TestRH112Check judges CHECK (total < 100) and its kin against the
// statistics' extremes (the verdicts case check-constraint-violated: totals
// from 5.00 to 504.99).
func TestRH112Check(t *testing.T) {
	orders := snapshot.Table{Name: "orders", Stats: snapshot.TableStats{Rows: 5000},
		Columns: []snapshot.Column{{Name: "total", DataType: "decimal", Type: "decimal(12,2)",
			Stats: &snapshot.ColumnStats{SampleRows: 5000, Min: str("5.00"), Max: str("504.99")}}}}
	check := func(op, v string) plan.Op {
		return plan.Op{Class: plan.OpAddCheck, Object: "ck", Bound: &plan.Bound{Column: "total", Op: op, Value: v}}
	}
	dml := plan.StatementPlan{File: "9_u.up.sql", Line: 1, Kind: "dml", Analysed: true, Table: &plan.TableRef{Name: "orders"}, Ops: []plan.Op{{Class: plan.OpUpdate}}}
	cases := []struct {
		name   string
		op     plan.Op
		before []plan.StatementPlan
		says   string // "" = no finding
	}{
		{name: "a maximum over the bound", op: check("<", "100"), says: "a row holds total = 504.99"},
		{name: "at the bound, strictly", op: check("<", "504.99"), says: "504.99"},
		{name: "at the bound, inclusive", op: check("<=", "504.99")},
		{name: "a minimum under the bound", op: check(">=", "10"), says: "a row holds total = 5.00"},
		{name: "every row holds", op: check(">=", "0")},
		{name: "an earlier UPDATE of the table", op: check("<", "100"), before: []plan.StatementPlan{dml}},
		{name: "not a bound", op: plan.Op{Class: plan.OpAddCheck, Object: "ck"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := uniqueContext(orders, tc.op, "ALTER TABLE orders ADD CONSTRAINT ck CHECK (total < 100)", tc.before...)
			got := (rh112{of(codes.ConstraintViolated)}).Check(ctx)
			if tc.says == "" {
				if len(got) > 0 {
					t.Fatalf("want no finding, got %q", got[0].Message)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].Message, tc.says) || !strings.Contains(got[0].Message, "3819") {
				t.Fatalf("want one finding saying %q, got %+v", tc.says, got)
			}
		})
	}
}
