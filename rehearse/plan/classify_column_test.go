package plan

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/sqlsplit"
	"github.com/rehearse/rehearse/snapshot"
)

// columnSnapshot is a MySQL 9.7 snapshot of one table whose columns cover
// the type parameters (testdata/alter-fixtures checks the same changes
// against real servers; this checks the classification alone, fast).
func columnSnapshot() *snapshot.Snapshot {
	n := func(v int64) *int64 { return &v }
	str := func(name, typ string, l int64, coll string) snapshot.Column {
		return snapshot.Column{Name: name, DataType: baseType(typ), Type: typ, CharMaxLength: n(l), Charset: charsetOf(coll), Collation: coll, Nullable: true}
	}
	return &snapshot.Snapshot{Format: snapshot.FormatV1, Source: snapshot.Source{Flavor: "mysql", Version: "9.7.4"},
		Schemas: []snapshot.Schema{{Name: "app", Charset: "utf8mb4", Collation: "utf8mb4_0900_ai_ci", Tables: []snapshot.Table{{
			Name: "investments", Collation: "utf8mb4_0900_ai_ci",
			Columns: []snapshot.Column{
				{Name: "id", DataType: "bigint", Type: "bigint"},
				{Name: "amount", DataType: "decimal", Type: "decimal(14,2)"},
				{Name: "at", DataType: "datetime", Type: "datetime", Nullable: true},
				{Name: "flags", DataType: "bit", Type: "bit(8)", Nullable: true},
				{Name: "qty", DataType: "int", Type: "int", Nullable: true},
				str("code", "char(10)", 10, "utf8mb4_0900_ai_ci"),
				str("name", "varchar(60)", 60, "utf8mb4_0900_ai_ci"),
				str("legacy", "varchar(20)", 20, "utf8mb3_general_ci"),
				str("tag", "varchar(20)", 20, "utf8mb4_0900_ai_ci"),
				str("note", "text", 65535, "utf8mb4_0900_ai_ci"),
				str("kind", "set('a','b','c','d','e','f','g','h')", 0, "utf8mb4_0900_ai_ci"),
			},
			Indexes: []snapshot.Index{{Name: "PRIMARY", Primary: true, Columns: []snapshot.IndexColumn{{Name: "id"}}},
				{Name: "k_tag", Columns: []snapshot.IndexColumn{{Name: "tag"}}}},
		}}}},
	}
}

func opClasses(ops []Op) string {
	var out []string
	for _, op := range ops {
		out = append(out, op.Class)
	}
	return strings.Join(out, ",")
}

func TestColumnTypeParameters(t *testing.T) {
	for _, c := range []struct{ sql, want string }{
		// the rehearsal's finding: DECIMAL(14,2) -> DECIMAL(18,4) rewrites every row
		{"ALTER TABLE investments MODIFY amount DECIMAL(18,4) NOT NULL", OpChangeType},
		{"ALTER TABLE investments MODIFY amount DECIMAL(12,2) NOT NULL", OpNarrowType},
		{"ALTER TABLE investments MODIFY amount NUMERIC(14,2) NOT NULL", OpModifySame},
		{"ALTER TABLE investments MODIFY amount DECIMAL(14,2) UNSIGNED NOT NULL", OpNarrowType},
		{"ALTER TABLE investments MODIFY at DATETIME(6)", OpChangeType},
		{"ALTER TABLE investments MODIFY at DATETIME(0)", OpModifySame},
		{"ALTER TABLE investments MODIFY flags BIT(4)", OpNarrowType},
		{"ALTER TABLE investments MODIFY qty INT(5)", OpModifySame},
		{"ALTER TABLE investments MODIFY qty INT ZEROFILL", OpNarrowType}, // ZEROFILL implies UNSIGNED
		{"ALTER TABLE investments MODIFY code CHAR(20)", OpChangeType},
		{"ALTER TABLE investments MODIFY name varchar(63)", OpExtendVarchar},  // 252 bytes
		{"ALTER TABLE investments MODIFY name varchar(64)", OpExtendVarchar2}, // 256 bytes: the prefix grows
		{"ALTER TABLE investments MODIFY legacy varchar(20) CHARACTER SET utf8mb4", OpChangeCollation + "," + OpExtendVarchar},
		{"ALTER TABLE investments MODIFY legacy varchar(20) CHARACTER SET latin1", OpColumnCharset},
		{"ALTER TABLE investments MODIFY name varchar(60) COLLATE utf8mb4_bin", OpChangeCollation},
		{"ALTER TABLE investments MODIFY name varchar(60) CHARACTER SET utf8mb4", OpModifySame}, // utf8mb4's default here
		{"ALTER TABLE investments MODIFY name varchar(60) BINARY", OpChangeCollation},
		{"ALTER TABLE investments MODIFY tag varchar(20) COLLATE utf8mb4_bin", OpChangeCollationIndexed},
		{"ALTER TABLE investments MODIFY note TEXT(100)", OpModifySame},                                // 400 bytes: still TEXT
		{"ALTER TABLE investments MODIFY note TEXT(50)", OpNarrowType},                                 // 200 bytes: TINYTEXT
		{"ALTER TABLE investments MODIFY kind set('a','b','c','d','e','f','g','h','i')", OpChangeType}, // 1 -> 2 bytes
		{"ALTER TABLE investments MODIFY id bigint", OpModifySame},
	} {
		sp := newClassifier(newModel(columnSnapshot(), "app")).statement(sqlsplit.Statement{Text: c.sql})
		if got := opClasses(sp.Ops); got != c.want {
			t.Errorf("%s: %s (%+v), want %s", c.sql, got, sp.Ops, c.want)
		}
	}
}

// TestColumnsOfTheRelease: a column a pending statement created or changed
// is compared the same way as one from the snapshot.
func TestColumnsOfTheRelease(t *testing.T) {
	for _, c := range []struct {
		stmts []string
		want  string
	}{
		{[]string{"CREATE TABLE t2 (id int PRIMARY KEY, amount decimal(14,2) NOT NULL)", "ALTER TABLE t2 MODIFY amount DECIMAL(18,4) NOT NULL"}, OpChangeType},
		{[]string{"CREATE TABLE t2 (id int PRIMARY KEY, amount decimal)", "ALTER TABLE t2 MODIFY amount DECIMAL(10,0)"}, OpModifySame},
		{[]string{"CREATE TABLE t2 (id int PRIMARY KEY, b varchar(20)) DEFAULT CHARSET=latin1", "ALTER TABLE t2 MODIFY b varchar(20) CHARACTER SET latin1"}, OpModifySame},
		{[]string{"CREATE TABLE t2 (id int PRIMARY KEY, b varchar(20)) COLLATE=utf8mb4_bin", "ALTER TABLE t2 MODIFY b varchar(20) CHARACTER SET utf8mb4"}, OpChangeCollation},
		{[]string{"ALTER TABLE investments CONVERT TO CHARACTER SET latin1", "ALTER TABLE investments MODIFY name varchar(60) CHARACTER SET latin1"}, OpModifySame},
		{[]string{"ALTER TABLE investments DEFAULT CHARSET=latin1", "ALTER TABLE investments ADD COLUMN x varchar(10)", "ALTER TABLE investments MODIFY x varchar(10) CHARACTER SET utf8mb4"}, OpColumnCharset},
		{[]string{"CREATE TABLE t3 LIKE investments", "ALTER TABLE t3 MODIFY amount DECIMAL(18,4) NOT NULL", "ALTER TABLE investments MODIFY amount DECIMAL(18,4) NOT NULL"}, OpChangeType},
		{[]string{"CREATE TABLE t2 (a varchar(20) NOT NULL, PRIMARY KEY (a))", "ALTER TABLE t2 MODIFY a varchar(30)"}, OpExtendVarchar}, // stays NOT NULL
	} {
		cl := newClassifier(newModel(columnSnapshot(), "app"))
		var sp StatementPlan
		for _, s := range c.stmts {
			sp = cl.statement(sqlsplit.Statement{Text: s})
		}
		if got := opClasses(sp.Ops); got != c.want {
			t.Errorf("%v: %s (%+v), want %s", c.stmts, got, sp.Ops, c.want)
		}
	}
}

func TestCharsetDefaults(t *testing.T) {
	for _, c := range []struct {
		flavor, version string
		settings        map[string]string
		cs, want        string
	}{
		{"mysql", "9.7.4", nil, "utf8mb4", "utf8mb4_0900_ai_ci"},
		{"mysql", "8.0.40", map[string]string{"default_collation_for_utf8mb4": "utf8mb4_general_ci"}, "utf8mb4", "utf8mb4_general_ci"},
		{"mysql", "9.7.4", nil, "utf8", "utf8mb3_general_ci"},
		{"mariadb", "10.11.19", nil, "utf8mb4", "utf8mb4_general_ci"},
		{"mariadb", "11.8.9", nil, "utf8mb4", "utf8mb4_uca1400_ai_ci"},
		{"mariadb", "11.8.9", map[string]string{"character_set_collations": "utf8mb4=utf8mb4_unicode_ci"}, "utf8mb4", "utf8mb4_unicode_ci"},
		{"mariadb", "11.8.9", map[string]string{"character_set_collations": ""}, "utf8mb3", "utf8mb3_general_ci"},
		{"mariadb", "11.8.9", nil, "latin1", "latin1_swedish_ci"},
	} {
		d := newCharsetDefaults(parseServer(c.flavor, c.version), c.settings)
		if got := d.collation(c.cs); got != c.want {
			t.Errorf("%s %s %v: %s -> %s, want %s", c.flavor, c.version, c.settings, c.cs, got, c.want)
		}
	}
	if !sameOrder("utf8mb3_general_ci", "utf8mb4_general_ci") || sameOrder("utf8mb3_general_ci", "utf8mb4_0900_ai_ci") || sameOrder("", "") {
		t.Error("sameOrder")
	}
}
