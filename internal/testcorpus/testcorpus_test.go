package testcorpus

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
)

// TestRoot: the corpus is ../shared/corpus beside the module root, found
// from a package folder two levels down.
func TestRoot(t *testing.T) {
	got, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "corpus"))
	if got != want {
		t.Fatalf("Root() = %s, want %s", got, want)
	}
	if len(Glob(t, "mattermost-mysql/*.up.sql")) != 120 {
		t.Errorf("mattermost-mysql: want 120 up migrations")
	}
}

// TestAbsentCorpus: in a module without a corpus beside it, Dir fails the
// test under the policy and skips without it, both naming the folder.
func TestAbsentCorpus(t *testing.T) {
	if os.Getenv("TESTCORPUS_CHILD") == "1" {
		Dir(t, "mattermost-mysql")
		t.Fatal("Dir returned for an absent corpus")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	mod := filepath.Join(t.TempDir(), "clone")
	if err := os.MkdirAll(filepath.Join(mod, "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ require, want string }{{"all", "--- FAIL"}, {"", "--- SKIP"}} {
		cmd := exec.Command(exe, "-test.run=^TestAbsentCorpus$", "-test.v")
		cmd.Dir = filepath.Join(mod, "pkg")
		cmd.Env = append(os.Environ(), "TESTCORPUS_CHILD=1", testserver.RequireEnv+"="+c.require)
		out, _ := cmd.CombinedOutput()
		s := string(out)
		if !strings.Contains(s, c.want) || !strings.Contains(s, testserver.MissingPrefix+"corpus mattermost-mysql not found at "+filepath.Join(filepath.Dir(mod), "shared", "corpus", "mattermost-mysql")) {
			t.Errorf("%s=%q: want %s naming the absent folder, got:\n%s", testserver.RequireEnv, c.require, c.want, s)
		}
	}
}
