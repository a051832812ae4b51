package run

import "testing"

// TestReadAlterDropIndex: DROP INDEX i ON t reads as ALTER TABLE t DROP
// INDEX i, so a tool can take it (--fix strategy= on the seed incident's
// DROP INDEX).
func TestReadAlterDropIndex(t *testing.T) {
	for stmt, want := range map[string]alterParts{
		"DROP INDEX uq_investments_account_fund ON investments;":         {Table: "investments", Spec: "DROP INDEX uq_investments_account_fund"},
		"drop index `k` on `shop`.`orders` ALGORITHM=INPLACE, LOCK=NONE": {Schema: "shop", Table: "orders", Spec: "DROP INDEX `k`"},
	} {
		got, ok := readAlter(stmt)
		if !ok || got != want {
			t.Errorf("%s: %+v %v, want %+v", stmt, got, ok, want)
		}
	}
	if _, ok := readAlter("DROP TABLE investments"); ok {
		t.Error("DROP TABLE read as an ALTER")
	}
}
