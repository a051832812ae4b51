package scope

import (
	"reflect"
	"testing"
)

func TestTables(t *testing.T) {
	cases := []struct {
		sql    string
		tables []Table
		kind   StatementKind
		ok     bool
	}{
		{"ALTER TABLE investments ADD INDEX k2 (amount)", []Table{{"", "investments"}}, KindDDL, true},
		{"DROP INDEX uq_investments_account_fund ON investments", []Table{{"", "investments"}}, KindDDL, true},
		{"CREATE UNIQUE INDEX uq ON app.investments (account_id, fund_code)", []Table{{"app", "investments"}}, KindDDL, true},
		{"INSERT INTO investments (account_id, amount) VALUES (3, 9)", []Table{{"", "investments"}}, KindWrite, true},
		{"UPDATE `app`.`investments` i JOIN accounts a ON a.id = i.account_id SET i.amount = 0", []Table{{"app", "investments"}, {"", "accounts"}}, KindWrite, true},
		{"SELECT COUNT(*) FROM history h WHERE h.id IN (SELECT id FROM History)", []Table{{"", "history"}}, KindRead, true},
		{"SELECT * FROM information_schema.processlist", nil, KindRead, true},
		{"LOCK TABLES investments WRITE", []Table{{"", "investments"}}, KindLock, true},
		{"SELECT * FROM investments WHERE id = 'truncat", nil, "", false},
	}
	for _, c := range cases {
		tables, kind, ok := Tables(c.sql)
		if ok != c.ok || kind != c.kind || !reflect.DeepEqual(tables, c.tables) {
			t.Errorf("Tables(%q) = %v %q %v, want %v %q %v", c.sql, tables, kind, ok, c.tables, c.kind, c.ok)
		}
	}
}
