package sqlsplit

import (
	"bytes"
	"os"
	"testing"

	"github.com/rehearse/rehearse/internal/testcorpus"
)

// benchInput is ~8 MB of real migration text: the Mattermost corpus,
// repeated.
func benchInput(b *testing.B) []byte {
	var one []byte
	for _, f := range testcorpus.Glob(b, "mattermost-mysql/*.sql") {
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		one = append(append(one, src...), "\n;\n"...)
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
