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
