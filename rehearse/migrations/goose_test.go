package migrations

import "testing"

func TestGoose(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"20240102000000_second.sql": `-- +goose Up
-- +goose NO TRANSACTION
CREATE INDEX i ON t (c);

-- +goose Down
DROP INDEX i ON t;
`,
		"00001_first.sql": `-- leading comment
-- +goose Up
CREATE TABLE t (id int, c int);
-- +goose StatementBegin
CREATE PROCEDURE p()
BEGIN
  IF 1 THEN SELECT 1; END IF;
END;
-- +goose StatementEnd
CALL p();

-- +goose Down
-- +goose StatementBegin
DROP PROCEDURE p;
-- +goose StatementEnd
DROP TABLE t;
`,
	})
	s := mustLoad(t, dir, "")
	if s.Format != "goose" || keys(s) != "1 20240102000000" {
		t.Fatalf("format %s keys %q", s.Format, keys(s))
	}
	first := s.Migrations[0]
	up := texts(&first.Up)
	if len(up) != 3 || up[1] != "CREATE PROCEDURE p()\nBEGIN\n  IF 1 THEN SELECT 1; END IF;\nEND" || up[2] != "CALL p()" {
		t.Fatalf("up: %q", up)
	}
	if first.Up.Line != 2 || first.Up.Statements[1].Line != 5 || first.Up.Statements[2].Line != 10 {
		t.Fatalf("lines: section %d, statements %d %d", first.Up.Line, first.Up.Statements[1].Line, first.Up.Statements[2].Line)
	}
	if down := texts(first.Down); len(down) != 2 || down[0] != "DROP PROCEDURE p" {
		t.Fatalf("down: %q", down)
	}
	if first.NoTransaction || !s.Migrations[1].NoTransaction {
		t.Fatalf("NO TRANSACTION: %v %v", first.NoTransaction, s.Migrations[1].NoTransaction)
	}
}

func TestGooseBadInput(t *testing.T) {
	ps := loadErr(t, writeDir(t, map[string]string{
		"1_a.sql": "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n",
		"2_b.sql": "SELECT 0;\n-- +goose Up\nSELECT 1;\n",
		"3_c.sql": "-- +goose Up\nSELECT 1;\n-- +goose Up\nSELECT 2;\n",
		"x_d.sql": "-- +goose Up\nSELECT 1;\n",
	}), "goose")
	for _, w := range []struct {
		code, file string
		line       int
	}{{"unterminated-block", "1_a.sql", 2}, {"outside-section", "2_b.sql", 1}, {"duplicate-section", "3_c.sql", 3}, {"bad-name", "x_d.sql", 0}} {
		if !hasProblem(ps, w.code, w.file, w.line) {
			t.Errorf("missing %s at %s:%d in %v", w.code, w.file, w.line, ps)
		}
	}
}
