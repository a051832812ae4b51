package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCacheCommands: the second `rehearse run` of a release starts from the
// data cache (its report says so in the phases and the table), --no-cache
// does without it, `rehearse cache ls` lists the entry and `cache prune`
// removes it; bad flags are usage errors.
func TestCacheCommands(t *testing.T) {
	requireLocalMariaDB(t)
	t.Setenv(dataCacheEnv, filepath.Join(t.TempDir(), "data"))
	f := newShop(t, nil)
	rehearseOnce := func(name string, extra ...string) (map[string]string, string) {
		t.Helper()
		out := filepath.Join(f.Dir, name+".json")
		args := append([]string{"run", "--engine", "local", "--snapshot", f.Snapshot, "--migrations", f.Migrations,
			"--baseline", "300ms", "--app-compat-window", "200ms", "--load", "20", "-o", out, "--format", "table"}, extra...)
		code, stdout, stderr := runRehearse(t, nil, args...)
		var rep struct {
			Phases []struct{ Name, Status string } `json:"phases"`
		}
		b, _ := os.ReadFile(out)
		if code == 2 || json.Unmarshal(b, &rep) != nil {
			t.Fatalf("%s: exit %d\n%s", name, code, stderr)
		}
		phases := map[string]string{}
		for _, p := range rep.Phases {
			phases[p.Name] = p.Status
		}
		return phases, stdout
	}
	first, _ := rehearseOnce("first")
	if first["cache"] != "ok" || first["generate"] != "ok" {
		t.Errorf("first run: phases %v, want generate ok and cache ok (the datadir kept)", first)
	}
	second, table := rehearseOnce("second")
	if second["restore"] != "cached" || second["generate"] != "cached" || second["cache"] != "" {
		t.Errorf("second run: phases %v, want restore and generate cached", second)
	}
	if !strings.Contains(table, "data from cache (key ") {
		t.Errorf("second run's table does not say the data came from the cache:\n%s", table)
	}
	plain, _ := rehearseOnce("no-cache", "--no-cache")
	if plain["generate"] != "ok" || plain["cache"] != "" {
		t.Errorf("--no-cache run: phases %v, want generate ok and no cache phase", plain)
	}

	code, ls, stderr := runRehearse(t, nil, "cache", "ls")
	if code != 0 || !strings.Contains(ls, "1 entries") || !strings.Contains(ls, "local mariadb") {
		t.Errorf("cache ls: exit %d\n%s%s", code, ls, stderr)
	}
	code, js, _ := runRehearse(t, nil, "cache", "ls", "--json")
	var entries []map[string]any
	if code != 0 || json.Unmarshal([]byte(js), &entries) != nil || len(entries) != 1 {
		t.Errorf("cache ls --json: exit %d\n%s", code, js)
	}
	if code, out, _ := runRehearse(t, nil, "cache", "prune", "--older-than", "1h"); code != 0 || !strings.Contains(out, "0 entries removed") {
		t.Errorf("cache prune --older-than 1h: exit %d\n%s", code, out)
	}
	if code, out, _ := runRehearse(t, nil, "cache", "prune", "--all"); code != 0 || !strings.Contains(out, "1 entries removed") {
		t.Errorf("cache prune --all: exit %d\n%s", code, out)
	}
	for _, bad := range [][]string{{"prune", "--older-than", "soon"}, {"prune", "--max-size", "big"}, {"prune", "--all", "--max-size", "1G"}} {
		if code, _, _ := runRehearse(t, nil, append([]string{"cache"}, bad...)...); code != 2 {
			t.Errorf("cache %v: exit %d, want 2", bad, code)
		}
	}
}
