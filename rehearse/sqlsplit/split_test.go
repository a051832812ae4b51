package sqlsplit

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func texts(t *testing.T, src string, opts Options) []string {
	t.Helper()
	sts, err := SplitString(src, opts)
	if err != nil {
		t.Fatalf("split %q: %v", src, err)
	}
	var out []string
	for _, s := range sts {
		out = append(out, s.Text)
	}
	return out
}

func TestSplitCases(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string
	}{
		{"simple", "SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"no trailing delimiter", "SELECT 1;\nSELECT 2\n", []string{"SELECT 1", "SELECT 2"}},
		{"semicolon in strings", `INSERT INTO t VALUES ('a;b', "c;d", 'it''s;', "x\";y");`, []string{`INSERT INTO t VALUES ('a;b', "c;d", 'it''s;', "x\";y")`}},
		{"backslash escape", `SELECT 'a\';b'; SELECT 2`, []string{`SELECT 'a\';b'`, "SELECT 2"}},
		{"backticks", "CREATE TABLE `a;b` (`x``;` int); SELECT 1", []string{"CREATE TABLE `a;b` (`x``;` int)", "SELECT 1"}},
		{"line comments", "-- lead; comment\nSELECT 1 -- trail;\n; # hash; comment\nSELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"dash without space is minus", "SELECT 1--1;", []string{"SELECT 1--1"}},
		{"block comments", "/* a; b */ SELECT /* in; side */ 1; /* trailing */", []string{"SELECT /* in; side */ 1"}},
		{"executable comment", "/*!40101 SET @x=1 */;\n/*!50003 CREATE*/ /*!50020 DEFINER=`r`@`%`*/ /*!50003 PROCEDURE p() BEGIN SELECT 1; END */;", []string{"/*!40101 SET @x=1 */", "/*!50003 CREATE*/ /*!50020 DEFINER=`r`@`%`*/ /*!50003 PROCEDURE p() BEGIN SELECT 1; END */"}},
		{"mariadb executable comment", "/*M!100100 SET @y=2 */; SELECT 1", []string{"/*M!100100 SET @y=2 */", "SELECT 1"}},
		{"hint kept", "SELECT /*+ MAX_EXECUTION_TIME(1) */ 1;", []string{"SELECT /*+ MAX_EXECUTION_TIME(1) */ 1"}},
		{"comment only", "-- nothing here\n/* still; nothing */\n# none\n", nil},
		{"empty statements", ";;; SELECT 1;;", []string{"SELECT 1"}},
		{"procedure without delimiter", "CREATE PROCEDURE p()\nBEGIN\n  DECLARE x INT;\n  IF x THEN SELECT 1; END IF;\n  CASE x WHEN 1 THEN SELECT 2; ELSE BEGIN END; END CASE;\n  SET x = CASE WHEN x THEN 1 ELSE 2 END;\nEND;\nCALL p();\nDROP PROCEDURE p;",
			[]string{"CREATE PROCEDURE p()\nBEGIN\n  DECLARE x INT;\n  IF x THEN SELECT 1; END IF;\n  CASE x WHEN 1 THEN SELECT 2; ELSE BEGIN END; END CASE;\n  SET x = CASE WHEN x THEN 1 ELSE 2 END;\nEND", "CALL p()", "DROP PROCEDURE p"}},
		{"loops and labels", "CREATE DEFINER=`root`@`localhost` PROCEDURE p() lbl: BEGIN WHILE 1 DO LEAVE lbl; END WHILE; REPEAT SELECT 1; UNTIL 1 END REPEAT; l2: LOOP LEAVE l2; END LOOP l2; END lbl; SELECT 2",
			[]string{"CREATE DEFINER=`root`@`localhost` PROCEDURE p() lbl: BEGIN WHILE 1 DO LEAVE lbl; END WHILE; REPEAT SELECT 1; UNTIL 1 END REPEAT; l2: LOOP LEAVE l2; END LOOP l2; END lbl", "SELECT 2"}},
		{"trigger", "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END; INSERT INTO t VALUES (1)",
			[]string{"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END", "INSERT INTO t VALUES (1)"}},
		{"trigger without body block", "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1; SELECT 1", []string{"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1", "SELECT 1"}},
		{"event", "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END; SELECT 1", []string{"CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END", "SELECT 1"}},
		{"function", "CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC BEGIN RETURN x + 1; END;\nSELECT f(1)", []string{"CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC BEGIN RETURN x + 1; END", "SELECT f(1)"}},
		{"transaction begin is not a block", "BEGIN; INSERT INTO t VALUES (1); COMMIT;", []string{"BEGIN", "INSERT INTO t VALUES (1)", "COMMIT"}},
		{"begin not atomic", "BEGIN NOT ATOMIC SELECT 1; SELECT 2; END; SELECT 3", []string{"BEGIN NOT ATOMIC SELECT 1; SELECT 2; END", "SELECT 3"}},
		{"case expression outside routines", "SELECT CASE WHEN 1 THEN 2 END; SELECT 3", []string{"SELECT CASE WHEN 1 THEN 2 END", "SELECT 3"}},
		{"column named end", "CREATE PROCEDURE p() BEGIN SELECT t.end FROM t; SELECT @begin; END; SELECT 1", []string{"CREATE PROCEDURE p() BEGIN SELECT t.end FROM t; SELECT @begin; END", "SELECT 1"}},
		{"delimiter directive", "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\nCALL p();",
			[]string{"CREATE PROCEDURE p() BEGIN SELECT 1; END", "CALL p()"}},
		{"mysqldump delimiter", "DELIMITER ;;\n/*!50003 CREATE*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a=1 */;;\nDELIMITER ;\nSELECT 1;",
			[]string{"/*!50003 CREATE*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a=1 */", "SELECT 1"}},
		{"delimiter is case insensitive and word-like", "delimiter //\nSELECT 1//SELECT 2 //\n", []string{"SELECT 1", "SELECT 2"}},
		// The mysql client unquotes a quoted delimiter (checked with mariadb
		// 10.11's client: DELIMITER '$$' then SELECT 1$$ runs SELECT 1).
		{"quoted delimiter", "DELIMITER '$$'\nSELECT 1$$\nDELIMITER \";\"\nSELECT 2;\nDELIMITER `//`\nSELECT 3//\n", []string{"SELECT 1", "SELECT 2", "SELECT 3"}},
		{"prepared DDL in a string", "SET @s = 'ALTER TABLE t ADD c int;'; PREPARE st FROM @s;", []string{"SET @s = 'ALTER TABLE t ADD c int;'", "PREPARE st FROM @s"}},
		{"crlf", "SELECT 1;\r\nSELECT 2;\r\n", []string{"SELECT 1", "SELECT 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := texts(t, c.src, Options{})
			if strings.Join(got, "\x00") != strings.Join(c.want, "\x00") || len(got) != len(c.want) {
				t.Fatalf("split:\n got  %q\n want %q", got, c.want)
			}
			checkInvariants(t, []byte(c.src))
		})
	}
}

func TestPositions(t *testing.T) {
	src := "-- header\n\nSELECT 1;\n  /* x */ SELECT\n 2 ;\nDELIMITER $$\nSELECT 3 $$"
	sts, err := SplitString(src, Options{File: "m.sql", Line: 10, Offset: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line  int
		off   int64
		delim string
	}{{12, 111, ";"}, {13, 131, ";"}, {16, 156, "$$"}}
	if len(sts) != len(want) {
		t.Fatalf("got %d statements", len(sts))
	}
	for i, w := range want {
		s := sts[i]
		if s.Line != w.line || s.Offset != w.off || s.Delimiter != w.delim || s.File != "m.sql" {
			t.Errorf("statement %d %q: line %d off %d delim %q, want %+v", i, s.Text, s.Line, s.Offset, s.Delimiter, w)
		}
		if src[s.Offset-100:s.Offset-100+int64(len(s.Text))] != s.Text {
			t.Errorf("statement %d: offset does not point at its text", i)
		}
	}
	if got := sts[1].Pos(); got != "m.sql:13" {
		t.Errorf("Pos = %q", got)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		src  string
		line int
		err  error
	}{
		{"SELECT 1;\nSELECT 'abc;\nmore", 2, ErrUnterminated},
		{"SELECT 1;\n\n/* never closed", 3, ErrUnterminated},
		{"SELECT `x", 1, ErrUnterminated},
		{"SELECT 1;\nDELIMITER \n", 2, ErrDelimiter},
	}
	for _, c := range cases {
		sts, err := SplitString(c.src, Options{File: "f.sql"})
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, c.err) || se.Line != c.line || se.File != "f.sql" {
			t.Errorf("%q: err %v, want %v at line %d", c.src, err, c.err, c.line)
		}
		if len(sts) != 1 || sts[0].Text != "SELECT 1" {
			if !strings.HasPrefix(c.src, "SELECT `") {
				t.Errorf("%q: statements before the error lost: %+v", c.src, sts)
			}
		}
	}
}

func TestReaderMatchesSplit(t *testing.T) {
	src := strings.Repeat("DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT ';'; END$$\nDELIMITER ;\n/*!40101 SET x=1 */; SELECT 'a\\'b' -- c\n; # d\n", 3000)
	want, err := SplitString(src, Options{File: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]io.Reader{
		"one byte": iotest.OneByteReader(strings.NewReader(src)),
		"half":     iotest.HalfReader(strings.NewReader(src)),
		"whole":    strings.NewReader(src),
	} {
		got, err := New(r, Options{File: "x"}).All()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d statements, want %d", name, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: statement %d = %+v, want %+v", name, i, got[i], want[i])
			}
		}
	}
}

func TestMaxStatementBytes(t *testing.T) {
	src := "SELECT 1;\nSELECT '" + strings.Repeat("x", 1<<20) + "';"
	sp := New(strings.NewReader(src), Options{File: "big.sql", MaxStatementBytes: 200 << 10})
	if _, err := sp.Next(); err != nil {
		t.Fatal(err)
	}
	_, err := sp.Next()
	var se *SyntaxError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &se) || se.Line != 2 {
		t.Fatalf("err = %v, want ErrTooLarge at line 2", err)
	}
	if _, err2 := sp.Next(); err2 == nil || err2.Error() != err.Error() {
		t.Fatalf("error not sticky: %v", err2)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReaderError(t *testing.T) {
	_, err := New(io.MultiReader(strings.NewReader("SELECT 1"), errReader{}), Options{}).Next()
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
}
