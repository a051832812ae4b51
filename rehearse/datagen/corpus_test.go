package datagen

import (
	"context"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/restore"
)

// Row counts of the real sample databases (their data is not in the corpus:
// the schema-only capture has no counts, so the test says them).
var (
	employeesRows = map[string]int64{"employees": 300024, "departments": 9, "dept_manager": 24, "dept_emp": 331603,
		"titles": 443308, "salaries": 2844047}
	sakilaRows = map[string]int64{"actor": 200, "address": 603, "category": 16, "city": 600, "country": 109, "customer": 599,
		"film": 1000, "film_actor": 5462, "film_category": 1000, "film_text": 1000, "inventory": 4581, "language": 6,
		"payment": 16049, "rental": 16044, "staff": 2, "store": 2}
)

// TestCorpusSchemas fills employees (foreign keys, composite keys) and
// sakila (triggers, views, spatial, fulltext, a foreign-key cycle) at scale
// 0.1 on every target and re-checks every constraint with a query.
func TestCorpusSchemas(t *testing.T) {
	employees := corpus(t, "employees-schema/employees_schema_only.derived.sql")
	sakila := corpus(t, "sakila-schema/sakila-mv-schema.sql")
	for _, target := range targets() {
		t.Run(target.Name, func(t *testing.T) {
			d := startDB(t, target, "employees")
			execIn(t, d, "employees", employees)
			if err := restore.LoadDump(context.Background(), d.db, strings.NewReader(sakila), restore.DumpOptions{Name: "sakila-mv-schema.sql"}); err != nil {
				t.Fatal(err)
			}
			snap := capture(t, d, false, "employees", "sakila")
			setRows(snap, employeesRows)
			setRows(snap, sakilaRows)
			trig := queryInt(t, d.db, "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='sakila'")
			res := generate(t, d, snap, Options{Scale: 0.1, Seed: 42})
			noWarnings(t, res)
			// Every table holds exactly its scaled count, counted by the
			// server, not taken from the generator's own report.
			if len(res.Tables) != len(employeesRows)+len(sakilaRows) {
				t.Errorf("%d tables generated, want %d", len(res.Tables), len(employeesRows)+len(sakilaRows))
			}
			for _, tr := range res.Tables {
				src := employeesRows[tr.Table] + sakilaRows[tr.Table]
				want := max(min(src, MinScaledRows), (src+5)/10)
				got := queryInt(t, d.db, "SELECT COUNT(*) FROM `"+tr.Schema+"`.`"+tr.Table+"`")
				if got != want || tr.Rows != got {
					t.Errorf("%s.%s: %d rows in the table (the generator says %d), want %d", tr.Schema, tr.Table, got, tr.Rows, want)
				}
			}
			if res.Rows < 70_000 {
				t.Errorf("only %d rows in all", res.Rows)
			}
			for _, db := range []string{"employees", "sakila"} {
				assertNoOrphans(t, d, db)
				assertUnique(t, d, db)
			}
			if n := queryInt(t, d.db, "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='sakila'"); n != trig || trig == 0 {
				t.Errorf("sakila has %d triggers after the load, %d before", n, trig)
			}
			// The views work on the generated rows.
			if n := queryInt(t, d.db, "SELECT COUNT(*) FROM sakila.customer_list"); n == 0 {
				t.Error("sakila.customer_list is empty")
			}
			if n := queryInt(t, d.db, "SELECT COUNT(*) FROM employees.current_dept_emp"); n == 0 {
				t.Error("employees.current_dept_emp is empty")
			}
			if n := queryInt(t, d.db, "SELECT COUNT(*) FROM sakila.film_text WHERE MATCH(title, description) AGAINST ('+a*' IN BOOLEAN MODE)"); n < 0 {
				t.Error("fulltext query failed")
			}
		})
	}
}
