package engine

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// templateLike writes a tree shaped like a fresh datadir: a 96 MiB redo log
// with a few data blocks, a 12 MiB system tablespace half full, small files.
func templateLike(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	data := func(n int) []byte {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return b
	}
	redo := make([]byte, 96<<20)
	copy(redo, data(8<<10))
	copy(redo[2<<20:], data(512))
	copy(redo[len(redo)-4096:], data(100)) // data at the very end
	sys := make([]byte, 12<<20)
	copy(sys, data(6<<20))
	if err := os.MkdirAll(filepath.Join(dir, "mysql"), 0o750); err != nil {
		tb.Fatal(err)
	}
	for name, b := range map[string][]byte{"ib_logfile0": redo, "ibdata1": sys, "mysql/user.frm": data(3000), "empty": nil} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o640); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestCopyTreeSparse(t *testing.T) {
	src := templateLike(t)
	mid := filepath.Join(t.TempDir(), "t")
	dst := filepath.Join(t.TempDir(), "d")
	if err := copyTreeSparse(src, mid); err != nil { // dense -> sparse
		t.Fatal(err)
	}
	if err := copyTreeSparse(mid, dst); err != nil { // sparse -> sparse
		t.Fatal(err)
	}
	for _, name := range []string{"ib_logfile0", "ibdata1", "mysql/user.frm", "empty"} {
		want, _ := os.ReadFile(filepath.Join(src, name))
		got, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: copy differs (len %d vs %d, err %v)", name, len(got), len(want), err)
		}
		st, _ := os.Stat(filepath.Join(src, name))
		if got, _ := os.Stat(filepath.Join(dst, name)); got.Mode() != st.Mode() {
			t.Errorf("%s: mode %v, want %v", name, got.Mode(), st.Mode())
		}
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(dst, "ib_logfile0"), &st); err != nil {
		t.Fatal(err)
	}
	if allocated := st.Blocks * 512; allocated > 4<<20 {
		t.Errorf("redo log copy allocates %d bytes; want it sparse (<4 MiB of 96 MiB)", allocated)
	}
}

// BenchmarkTemplateCopy compares the dense copy (baseline) with the sparse
// one on a datadir-shaped tree; run with -bench TemplateCopy.
func BenchmarkTemplateCopy(b *testing.B) {
	src := templateLike(b)
	sparse := filepath.Join(b.TempDir(), "sparse")
	if err := copyTreeSparse(src, sparse); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		from string
		copy func(string, string) error
	}{
		{"dense-copyTree", src, copyTree},
		{"sparse-from-dense", src, copyTreeSparse},
		{"sparse-from-sparse-template", sparse, copyTreeSparse},
	} {
		b.Run(c.name, func(b *testing.B) {
			base := b.TempDir()
			for i := 0; i < b.N; i++ {
				dst := filepath.Join(base, "d")
				if err := c.copy(c.from, dst); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				os.RemoveAll(dst)
				b.StartTimer()
			}
		})
	}
}
