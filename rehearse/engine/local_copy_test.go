package engine

import (
	"bytes"
	"context"
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
		{"kernel-copy", src, func(s, d string) error { _, err := CopyTree(context.Background(), s, d, CopyOptions{}); return err }},
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

// filledLike writes a tree shaped like a filled datadir: a big tablespace
// copied in chunks (with a hole in the middle and a hole at the end),
// small files, a nested folder, a symbolic link.
func filledLike(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "app", "deep"), 0o750))
	f, err := os.Create(filepath.Join(dir, "app", "big.ibd"))
	must(err)
	chunk := make([]byte, 3<<20)
	for _, off := range []int64{0, 20 << 20, 70 << 20, 95<<20 + 123} { // spans 3+ copy chunks, holes between
		_, _ = rand.Read(chunk)
		_, err := f.WriteAt(chunk, off)
		must(err)
	}
	must(f.Truncate(130 << 20)) // a trailing hole
	must(f.Close())
	must(os.WriteFile(filepath.Join(dir, "app", "deep", "small"), []byte("abc"), 0o600))
	must(os.WriteFile(filepath.Join(dir, "empty"), nil, 0o640))
	must(os.Symlink("app/deep/small", filepath.Join(dir, "link")))
	return dir
}

func sameTree(t *testing.T, a, b string) {
	t.Helper()
	err := filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		q := filepath.Join(b, rel)
		ia, _ := os.Lstat(p)
		ib, err := os.Lstat(q)
		if err != nil {
			t.Errorf("%s: missing in the copy", rel)
			return nil
		}
		if ia.Mode() != ib.Mode() {
			t.Errorf("%s: mode %v, want %v", rel, ib.Mode(), ia.Mode())
		}
		if ia.Mode().IsRegular() {
			x, _ := os.ReadFile(p)
			y, _ := os.ReadFile(q)
			if !bytes.Equal(x, y) {
				t.Errorf("%s: contents differ (%d vs %d bytes)", rel, len(y), len(x))
			}
		}
		if ia.Mode()&os.ModeSymlink != 0 {
			x, _ := os.Readlink(p)
			y, _ := os.Readlink(q)
			if x != y {
				t.Errorf("%s: link to %q, want %q", rel, y, x)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCopyTree(t *testing.T) {
	src := filledLike(t)
	for _, o := range []CopyOptions{{}, {Workers: 1}, {SkipZeros: true}, {NoClone: true, Workers: 3}} {
		dst := filepath.Join(t.TempDir(), "d")
		st, err := CopyTree(context.Background(), src, dst, o)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		sameTree(t, src, dst)
		if st.Files != 3 || st.Bytes != 130<<20+3 {
			t.Errorf("%+v: stats %+v, want 3 files of %d bytes", o, st, 130<<20+3)
		}
		var sys syscall.Stat_t
		if err := syscall.Stat(filepath.Join(dst, "app", "big.ibd"), &sys); err != nil {
			t.Fatal(err)
		}
		// 12 MiB of data; a clone shares blocks, a copy keeps the holes.
		if allocated := sys.Blocks * 512; allocated > 20<<20 {
			t.Errorf("%+v: the copy allocates %d MiB; want the holes kept (12 MiB of data)", o, allocated>>20)
		}
	}
}

func TestCopyTreeSkipAndExisting(t *testing.T) {
	src := filledLike(t)
	dst := filepath.Join(t.TempDir(), "d")
	if _, err := CopyTree(context.Background(), src, dst, CopyOptions{Skip: func(rel string) bool { return rel == "app/deep" || rel == "empty" }}); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"app/deep", "empty"} {
		if _, err := os.Lstat(filepath.Join(dst, gone)); err == nil {
			t.Errorf("%s was copied; Skip said to leave it out", gone)
		}
	}
	if _, err := CopyTree(context.Background(), src, dst, CopyOptions{}); err == nil {
		t.Error("copy onto an existing folder: no error")
	}
}

func TestCopyTreeCancelled(t *testing.T) {
	src := filledLike(t)
	dst := filepath.Join(t.TempDir(), "d")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CopyTree(ctx, src, dst, CopyOptions{}); err == nil {
		t.Fatal("cancelled copy: no error")
	}
	if _, err := os.Lstat(dst); err == nil {
		t.Error("a cancelled copy left its destination behind")
	}
}
