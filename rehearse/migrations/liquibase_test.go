package migrations

import "testing"

func TestLiquibase(t *testing.T) {
	s := mustLoad(t, writeDir(t, map[string]string{
		"changelog/001.sql": `--liquibase formatted sql

--changeset alice:1
CREATE TABLE t (id int);
INSERT INTO t VALUES (1);
--rollback DROP TABLE t;

--changeset bob:2 runInTransaction:false
--comment: add an index
CREATE INDEX i ON t (id);
--rollback DROP INDEX i ON t;

--changeset alice:3 splitStatements:false
CREATE PROCEDURE p() BEGIN SELECT 1; END;
--rollback not required

--changeset carol:4 endDelimiter:$$
CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.id = 2; END$$
/* liquibase rollback
DROP TRIGGER tr;
*/

--changeset dave:5
ALTER TABLE t ADD c int;
`,
		"changelog/000.sql": "-- liquibase formatted sql\n--changeset zed:0\nCREATE TABLE z (id int);\n--rollback DROP TABLE z;\n",
	}), "")
	if s.Format != "liquibase" || keys(s) != "0::zed 1::alice 2::bob 3::alice 4::carol 5::dave" {
		t.Fatalf("format %s keys %q", s.Format, keys(s))
	}
	one := s.Migrations[1]
	if got := texts(&one.Up); len(got) != 2 || one.Up.Statements[0].Line != 4 || texts(one.Down)[0] != "DROP TABLE t" || one.Down.Line != 6 {
		t.Fatalf("1: %q down %+v", got, one.Down)
	}
	if two := s.Migrations[2]; !two.NoTransaction || len(two.Up.Statements) != 1 {
		t.Fatalf("2: %+v", two)
	}
	if three := s.Migrations[3]; texts(&three.Up)[0] != "CREATE PROCEDURE p() BEGIN SELECT 1; END" || three.Down == nil || !three.Down.Empty() {
		t.Fatalf("3: %q %+v", texts(&three.Up), three.Down)
	}
	if four := s.Migrations[4]; len(four.Up.Statements) != 1 || texts(four.Down)[0] != "DROP TRIGGER tr" {
		t.Fatalf("4: %q %q", texts(&four.Up), texts(four.Down))
	}
	if !hasProblem(s.Problems, "no-down", "changelog/001.sql", 23) || !hasProblem(s.Problems, "empty-down", "changelog/001.sql", 15) {
		t.Fatalf("problems %v", s.Problems)
	}
	if got := (liquibase{}).HistoryKey("2", "db/changelog/001.sql::bob"); got != "2::bob" {
		t.Fatalf("history key %q", got)
	}
}

func TestLiquibaseBadInput(t *testing.T) {
	ps := loadErr(t, writeDir(t, map[string]string{
		"a.sql": "--liquibase formatted sql\nCREATE TABLE x (id int);\n--changeset a:1\nSELECT 1;\n",
		"b.sql": "--liquibase formatted sql\n-- nothing\n",
	}), "")
	if !hasProblem(ps, "outside-changeset", "a.sql", 2) || !hasProblem(ps, "no-changeset", "b.sql", 1) {
		t.Fatalf("problems %v", ps)
	}
}
