package sqlsplit

import (
	"testing"

	"github.com/rehearse/rehearse/internal/testcorpus"
)

// FuzzSplit: Split never panics, statements are exact non-overlapping
// slices, nothing significant is lost between them (split then join loses
// no byte that matters), and the io.Reader API agrees with Split.
func FuzzSplit(f *testing.F) {
	seeds := []string{
		"SELECT 1; SELECT 2",
		"CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; CASE WHEN 1 THEN BEGIN END; END CASE; END; CALL p();",
		"DELIMITER $$\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a=';'; END$$\nDELIMITER ;\n",
		"/*!40101 SET @a=1 */;/*M!100100 x */; -- c\n# d\n/* e; */ 'a\\'b;' \"c\"\"d\" `e``f`;",
		"BEGIN NOT ATOMIC SELECT 1; END; BEGIN; COMMIT",
		"SELECT 1--1; SELECT 2 --\n;",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for _, p := range []string{"mattermost-mysql/000016_create_reactions.up.sql", "employees-schema/objects.sql"} {
		f.Add(testcorpus.File(f, p))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkInvariants(t, src)
	})
}

// FuzzMariaDBCode: when MariaDBCode says ok, it kept the length, changed
// only bytes of /*M! markers into spaces, and the server's tokens (Lex reads
// /*M! content as code) are the same before and after, at the same offsets:
// the text a parser checks is the text the server runs. (It found "--"
// before a marker turning into a comment once the marker was spaces.)
func FuzzMariaDBCode(f *testing.F) {
	for _, s := range []string{
		"DROP TABLE t /*M!100000 , other.t */",
		"SELECT '/*M!100000 , x */' /*M! , y */ FROM t -- /*M! z */\n",
		"ALTER TABLE t ADD c INT /*!50100 , ADD d INT */ /*M!100500 , RENAME TO u */",
		"SELECT `a/*M!` FROM t /* plain /*M! */ WHERE x = \"/*M!1\"",
		"/*M!999999\\- enable the sandbox mode */",
		"SELECT 1 /*M!100000 unterminated",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, ok := MariaDBCode(s)
		if !ok {
			if out != s {
				t.Fatalf("not ok, yet changed: %q -> %q", s, out)
			}
			return // refused by the caller
		}
		if len(out) != len(s) {
			t.Fatalf("length %d -> %d", len(s), len(out))
		}
		for i := range s {
			if s[i] != out[i] && out[i] != ' ' {
				t.Fatalf("byte %d changed %q -> %q (only markers become spaces)", i, s[i], out[i])
			}
		}
		before, err := Lex(s, false)
		if err != nil {
			return
		}
		after, err := Lex(out, false)
		if err != nil {
			t.Fatalf("Lex of %q failed after: %v", out, err)
		}
		if len(before) != len(after) {
			t.Fatalf("%q: %d tokens, %d after (%q)", s, len(before), len(after), out)
		}
		for i := range before {
			if before[i] != after[i] {
				t.Fatalf("%q: token %d %+v, after %+v (%q)", s, i, before[i], after[i], out)
			}
		}
	})
}
