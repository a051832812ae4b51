package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
)

// TestCopyTreeOwners: running as root (as a container's datadir needs),
// the copy keeps each file's owner.
func TestCopyTreeOwners(t *testing.T) {
	if os.Geteuid() != 0 {
		testserver.Missing(t, "root privileges: the copy keeps owners only as root", "run the tests as root, as make test does here")
	}
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "app", "deep"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "app", "deep", "small"), []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(src, "app", "deep", "small")
	if err := os.Chown(small, 4242, 4343); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(src, "app"), 4242, 4343); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "d")
	if _, err := engine.CopyTree(context.Background(), src, dst, engine.CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"app", "app/deep/small"} {
		var st syscall.Stat_t
		if err := syscall.Stat(filepath.Join(dst, p), &st); err != nil {
			t.Fatal(err)
		}
		if st.Uid != 4242 || st.Gid != 4343 {
			t.Errorf("%s: owner %d:%d, want 4242:4343", p, st.Uid, st.Gid)
		}
	}
}
