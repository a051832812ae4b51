package plan

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
	"github.com/rehearse/rehearse/snapshot"
)

func testSnapshot() *snapshot.Snapshot {
	l26 := int64(26)
	return &snapshot.Snapshot{Format: snapshot.FormatV1, Source: snapshot.Source{Flavor: "mariadb", Version: "10.11.19"},
		Settings: map[string]string{"lock_wait_timeout": "31536000"},
		Schemas: []snapshot.Schema{{Name: "app", Charset: "utf8mb4", Tables: []snapshot.Table{{
			Name: "users", Collation: "utf8mb4_general_ci",
			Columns: []snapshot.Column{
				{Name: "id", DataType: "bigint", Type: "bigint"},
				{Name: "name", DataType: "varchar", Type: "varchar(26)", CharMaxLength: &l26, Charset: "utf8mb4", Nullable: true},
				{Name: "kind", DataType: "enum", Type: "enum('a','b')", Charset: "utf8mb4", Collation: "utf8mb4_general_ci", Nullable: true},
			},
			Indexes: []snapshot.Index{{Name: "PRIMARY", Primary: true, Columns: []snapshot.IndexColumn{{Name: "id"}}}},
			Stats:   snapshot.TableStats{Rows: 4_200_000, DataBytes: 1 << 30},
		}}}},
		History: []snapshot.History{{Runner: "golang-migrate", Schema: "app", Table: "schema_migrations", Entries: []snapshot.HistoryEntry{{Version: "2"}}}},
	}
}

func classifyOne(t *testing.T, sql string) StatementPlan {
	t.Helper()
	c := newClassifier(newModel(testSnapshot(), "app"))
	return c.statement(sqlsplit.Statement{Text: sql, File: "f.sql", Line: 3})
}

func TestClassifyAndPredict(t *testing.T) {
	maria := parseServer("mariadb", "10.11.19")
	mysql97 := parseServer("mysql", "9.7.0")
	mariaNew := parseServer("mariadb", "11.8.3")
	cases := []struct {
		sql, op      string
		maria, mysql string // ALGORITHM/LOCK
		maria118     string
	}{
		{"ALTER TABLE users ADD COLUMN age int", OpAddColumn, "INSTANT/NONE", "INSTANT/NONE", "INSTANT/NONE"},
		{"ALTER TABLE users MODIFY name varchar(40)", OpExtendVarchar, "INSTANT/NONE", "INPLACE/NONE", "INSTANT/NONE"},
		{"ALTER TABLE users MODIFY name varchar(100)", OpExtendVarchar2, "INSTANT/NONE", "COPY/SHARED", "INSTANT/NONE"},
		{"ALTER TABLE users MODIFY name varchar(10)", OpNarrowType, "COPY/SHARED", "COPY/SHARED", "COPY/NONE"},
		{"ALTER TABLE users MODIFY kind enum('a','b','c')", OpEnumAppend, "INSTANT/NONE", "INSTANT/NONE", "INSTANT/NONE"},
		{"ALTER TABLE users MODIFY kind enum('a')", OpEnumRemove, "COPY/SHARED", "COPY/SHARED", "COPY/NONE"},
		{"CREATE UNIQUE INDEX u ON users (name)", OpAddUnique, "NOCOPY/NONE", "INPLACE/NONE", "NOCOPY/NONE"},
		{"ALTER TABLE users MODIFY name varchar(26) NOT NULL", OpMakeNotNull, "INPLACE/NONE", "INPLACE/NONE", "INPLACE/NONE"},
		{"ALTER TABLE users DROP COLUMN name", OpDropColumn, "INSTANT/NONE", "INSTANT/NONE", "INSTANT/NONE"},
		{"ALTER TABLE users CONVERT TO CHARACTER SET latin1", OpConvertCharset, "COPY/SHARED", "COPY/SHARED", "COPY/NONE"},
	}
	for _, c := range cases {
		sp := classifyOne(t, c.sql)
		if !sp.Analysed || len(sp.Ops) == 0 || sp.Ops[0].Class != c.op {
			t.Errorf("%s: ops %+v, want %s", c.sql, sp.Ops, c.op)
			continue
		}
		if sp.Table == nil || sp.Table.Rows != 4_200_000 {
			t.Errorf("%s: table %+v", c.sql, sp.Table)
		}
		for _, x := range []struct {
			s    server
			want string
		}{{maria, c.maria}, {mysql97, c.mysql}, {mariaNew, c.maria118}} {
			a, ok := predict(x.s, sp.Ops, nil)
			if got := a.Algorithm + "/" + a.Lock; !ok || got != x.want {
				t.Errorf("%s on %v: %s, want %s", c.sql, x.s, got, x.want)
			}
		}
	}
}

func TestPrepareStringsAndRoutines(t *testing.T) {
	// The SET holds the text; the EXECUTE that runs it is classified as it.
	c := newClassifier(newModel(testSnapshot(), "app"))
	var sps []StatementPlan
	for _, q := range []string{
		"SET @s = (SELECT IF((SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS WHERE table_name = 'users') > 0, 'SELECT 1', 'ALTER TABLE users ADD COLUMN x int;'))",
		"PREPARE p FROM @s", "EXECUTE p",
		"PREPARE q FROM 'ALTER TABLE users ADD INDEX ix_name (name)'", "EXECUTE q",
		"SET @d = CONCAT('ALTER TABLE ', @t, ' ADD COLUMN y int')", "PREPARE r FROM @d", "EXECUTE r",
		"SET @e = IF(@x, 'ALTER TABLE users ADD COLUMN a int', 'ALTER TABLE users ADD COLUMN b int')", "PREPARE e FROM @e", "EXECUTE e",
		"SET @n = IF(@x, 'SELECT 1', 'SELECT 2')", "PREPARE n FROM @n", "EXECUTE n",
		"EXECUTE nowhere",
	} {
		sps = append(sps, c.statement(sqlsplit.Statement{Text: q, File: "f.sql", Line: 3}))
	}
	if sp := sps[0]; sp.Kind != "session" || len(sp.Inner) != 0 {
		t.Fatalf("SET: %+v", sp)
	}
	if sp := sps[2]; sp.Kind != "ddl" || sp.SQL != "EXECUTE p" || sp.Executes != "ALTER TABLE users ADD COLUMN x int" || sp.Ops[0].Class != OpAddColumn || sp.Table == nil || sp.Table.Name != "users" {
		t.Fatalf("EXECUTE of a guarded ALTER: %+v", sp)
	}
	if sp := sps[4]; sp.Executes != "ALTER TABLE users ADD INDEX ix_name (name)" || sp.Ops[0].Class != OpAddIndex {
		t.Fatalf("EXECUTE of a literal: %+v", sp)
	}
	if sp := sps[7]; sp.Executes != DynamicSQL || sp.Kind != "session" || !strings.Contains(sp.Dynamic, "assembled") {
		t.Fatalf("EXECUTE of CONCAT: %+v", sp)
	}
	if sp := sps[10]; sp.Executes != DynamicSQL || len(sp.Inner) != 2 || !strings.Contains(sp.Dynamic, "several") {
		t.Fatalf("EXECUTE of one of two ALTERs: %+v", sp)
	}
	if sp := sps[13]; sp.Executes != "" || sp.Kind != "session" {
		t.Fatalf("EXECUTE of a SELECT: %+v", sp)
	}
	if sp := sps[14]; sp.Executes != DynamicSQL {
		t.Fatalf("EXECUTE of a statement not prepared here: %+v", sp)
	}
	sp := classifyOne(t, "CREATE PROCEDURE p() BEGIN DECLARE n int; IF n > 0 THEN ALTER TABLE users DROP COLUMN name; END IF; END")
	if sp.Kind != "routine" || len(sp.Inner) != 1 || sp.Inner[0].Via != "routine" || sp.Inner[0].Ops[0].Class != OpDropColumn {
		t.Fatalf("routine: %+v", sp)
	}
	sp = classifyOne(t, "FROBNICATE TABLE users")
	if sp.Analysed || sp.NotAnalysed == "" {
		t.Fatalf("unparsable: %+v", sp)
	}
}

func TestWithClause(t *testing.T) {
	r := rung{InPlace, LockNone}
	for in, want := range map[string]string{
		"ALTER TABLE `a`.`b` ADD c int, LOCK=NONE;":     "ALTER TABLE `a`.`b` ALGORITHM=INPLACE, LOCK=NONE, ADD c int",
		"ALTER TABLE t ALGORITHM=COPY, ADD INDEX i (c)": "ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE, ADD INDEX i (c)",
		"CREATE INDEX i ON t (c) LOCK=SHARED":           "CREATE INDEX i ON t (c) ALGORITHM=INPLACE LOCK=NONE",
		"DROP INDEX i ON t;":                            "ALTER TABLE t DROP INDEX i ALGORITHM=INPLACE, LOCK=NONE",
	} {
		got, ok := withClause(in, r)
		if in == "DROP INDEX i ON t;" {
			want = "ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE, DROP INDEX i"
		}
		if !ok || got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
	if _, ok := withClause("SELECT 1", r); ok {
		t.Error("SELECT rewritten")
	}
}

func TestPendingGolangMigrate(t *testing.T) {
	set := &migrations.Set{Dir: "m", Format: "golang-migrate"}
	for _, k := range []string{"1", "2", "3", "4"} {
		set.Migrations = append(set.Migrations, migrations.Migration{Key: k, Version: k, Up: migrations.Script{File: k + ".up.sql", Line: 1}})
	}
	snap := testSnapshot()
	pending, ref, fs, err := pendingSet(set, pickHistory(snap, set.Format, ""), historyOptions{})
	if err != nil || len(pending) != 2 || pending[0].Key != "3" || ref.Applied != 2 || len(fs) != 0 {
		t.Fatalf("pending %v ref %+v findings %v err %v", pending, ref, fs, err)
	}
	snap.History[0].Entries[0].Dirty = true
	if _, _, fs, _ = pendingSet(set, pickHistory(snap, set.Format, ""), historyOptions{}); len(fs) != 1 || fs[0].Code != codes.Dirty {
		t.Fatalf("dirty: %v", fs)
	}
	snap.History[0].Entries[0] = snapshot.HistoryEntry{Version: "99"}
	set.Migrations = set.Migrations[:0]
	set.Migrations = append(set.Migrations, migrations.Migration{Key: "100", Version: "100"})
	if _, _, fs, err := pendingSet(set, pickHistory(snap, set.Format, ""), historyOptions{}); err != nil || len(fs) != 1 || fs[0].Code != codes.HistoryWithoutFile {
		t.Fatalf("current version without a file: %v %v", fs, err)
	}
}

func TestPendingOutOfOrderAndMissingFile(t *testing.T) {
	set := &migrations.Set{Dir: "m", Format: "goose"}
	for _, k := range []string{"1", "2", "3"} {
		set.Migrations = append(set.Migrations, migrations.Migration{Key: k, Version: k, Up: migrations.Script{File: k + ".sql", Line: 1}})
	}
	h := &snapshot.History{Runner: "goose", Schema: "app", Entries: []snapshot.HistoryEntry{{Version: "1"}, {Version: "3"}, {Version: "7"}}}
	pending, _, fs, err := pendingSet(set, h, historyOptions{})
	if err != nil || len(pending) != 1 || pending[0].Key != "2" {
		t.Fatalf("pending %v err %v", pending, err)
	}
	codes := ""
	for _, f := range fs {
		codes += f.Code + " "
	}
	if codes != "RH001 RH004 " {
		t.Fatalf("findings %q", codes)
	}
	h.Entries = []snapshot.HistoryEntry{{Version: "50"}}
	if _, _, _, err := pendingSet(set, h, historyOptions{}); err == nil || !strings.Contains(err.Error(), "share no migration") {
		t.Fatalf("no shared history: %v", err)
	}
}
