package sqlsplit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// benchInput is ~8 MB of real migration text (the Mattermost corpus when
// present, else a synthetic mix with the same constructs).
func benchInput(b *testing.B) []byte {
	var one []byte
	files, _ := filepath.Glob(filepath.Join(corpusDir, "mattermost-mysql/*.sql"))
	for _, f := range files {
		if src, err := os.ReadFile(f); err == nil {
			one = append(append(one, src...), "\n;\n"...)
		}
	}
	if len(one) == 0 {
		one = []byte("CREATE TABLE t (id int, s varchar(10) DEFAULT 'a;b') ENGINE=InnoDB; -- c\n" +
			"SET @s = (SELECT IF(1, 'SELECT 1', 'ALTER TABLE t ADD c int;'));\nPREPARE st FROM @s;\n" +
			"CREATE PROCEDURE p() BEGIN IF 1 THEN UPDATE t SET s = 'x\\'y'; END IF; END;\n/*!40101 SET @a=1 */;\n")
	}
	return bytes.Repeat(one, 8<<20/len(one)+1)
}

func BenchmarkSplit(b *testing.B) {
	src := benchInput(b)
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Split(src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReader(b *testing.B) {
	src := benchInput(b)
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sp := New(bytes.NewReader(src), Options{})
		if _, err := sp.All(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaseline is bytes.Count over the same input: the ratio
// Split/Baseline shows how far the splitter is from a memory scan.
func BenchmarkBaseline(b *testing.B) {
	src := benchInput(b)
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = bytes.Count(src, []byte{';'})
	}
}
