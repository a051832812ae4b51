package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// TestLiteralQueries: the comparisons of a column to literals in the
// pending DML's WHERE clauses, subqueries included, with the file and line;
// nothing for a join, a column compared to a column or an expression, or
// DDL. Parsing only: the counting is TestCaptureLiterals (snapshot).
func TestLiteralQueries(t *testing.T) {
	stmts := []string{
		"DELETE FROM sess WHERE subject IN (SELECT identifier FROM ident WHERE username = '' AND service IN ('openid', 'openid_connect'))",
		"DELETE FROM ident WHERE service <> 'openid'",
		"UPDATE app.ident SET x = 1 WHERE (kind != 3 AND note IS NULL) AND deleted IS NOT NULL",
		"DELETE FROM ident WHERE state NOT IN ('a', 'b') AND a = b AND c = LOWER('x')",
		"DELETE s FROM sess s JOIN ident i ON i.identifier = s.subject WHERE i.service = 'x'",
		"ALTER TABLE ident ADD COLUMN z INT DEFAULT 3",
		"DELETE FROM ident WHERE flag = NULL",
	}
	var sts []sqlsplit.Statement
	for i, s := range stmts {
		sts = append(sts, sqlsplit.Statement{Text: s, File: "5.up.sql", Line: i + 1})
	}
	got := LiteralQueries([]*migrations.Migration{{Version: "5", Up: migrations.Script{File: "5.up.sql", Statements: sts}}})
	var lines []string
	for _, q := range got {
		var vals []string
		for _, v := range q.Values {
			if v == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, fmt.Sprintf("%q", *v))
			}
		}
		lines = append(lines, fmt.Sprintf("%s %s.%s.%s [%s]", q.At, q.Schema, q.Table, q.Column, strings.Join(vals, " ")))
	}
	want := []string{
		`5.up.sql:1 .ident.username [""]`,
		`5.up.sql:1 .ident.service ["openid" "openid_connect"]`,
		`5.up.sql:2 .ident.service ["openid"]`,
		`5.up.sql:3 app.ident.kind ["3"]`,
		`5.up.sql:3 app.ident.note [NULL]`,
		`5.up.sql:3 app.ident.deleted [NULL]`,
		`5.up.sql:4 .ident.state ["a" "b"]`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
