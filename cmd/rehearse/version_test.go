package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rehearse/rehearse/rehearse/engine"
)

// TestOtherPatchVersionSaidSo: production's snapshot names a patch version
// no engine here has (the host's major.minor, patch 199...). plan's
// verification, the rehearsal and `sandbox --snapshot` run on the host's
// patch version and say so: on stderr, in the plan's header and the run
// report's (version_drift). At production's exact version nothing is said.
func TestOtherPatchVersionSaidSo(t *testing.T) {
	requireLocalMariaDB(t)
	host, _ := engine.PickBinary(engine.FindBinaries(t.Context(), "", ""), engine.MariaDB, "")
	f := newShop(t, nil)
	exactPlan := []string{"plan", "--engine", "local", "--snapshot", f.Snapshot, "--migrations", f.Migrations}
	if code, stdout, stderr := runRehearse(t, nil, exactPlan...); code != 0 || strings.Contains(stdout+stderr, "another patch version") {
		t.Errorf("plan at the host's exact version: exit %d\n%s%s", code, stdout, stderr)
	}

	prod := host.Version + "99"
	var doc map[string]any
	b, _ := os.ReadFile(f.Snapshot)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	doc["source"].(map[string]any)["version"] = prod
	b, _ = json.MarshalIndent(doc, "", "  ")
	other := filepath.Join(f.Dir, "prod-other-patch.json")
	if err := os.WriteFile(other, b, 0o644); err != nil {
		t.Fatal(err)
	}
	said := "production runs mariadb " + prod + "; this local server runs mariadb " + host.Version + ", another patch version"

	code, stdout, stderr := runRehearse(t, nil, "plan", "--engine", "local", "--snapshot", other, "--migrations", f.Migrations)
	if code != 0 || !strings.Contains(oneLine(stdout), "version: "+said) || !strings.Contains(stderr, "rehearse: "+said) {
		t.Errorf("plan on another patch version: exit %d, want %q in the header and on stderr\n%s%s", code, said, stdout, stderr)
	}

	out := filepath.Join(f.Dir, "report.json")
	code, stdout, stderr = runRehearse(t, nil, "run", "--engine", "local", "--snapshot", other, "--migrations", f.Migrations,
		"--scale", "0.2", "--baseline", "500ms", "--app-compat-window", "300ms", "--load", "50", "-o", out)
	var rep struct {
		Inputs struct {
			VersionDrift string `json:"version_drift"`
		}
	}
	b, _ = os.ReadFile(out)
	_ = json.Unmarshal(b, &rep)
	if code == 2 || !strings.HasPrefix(rep.Inputs.VersionDrift, said) || !strings.Contains(oneLine(stdout), "(not production's mariadb "+prod+")") ||
		!strings.Contains(oneLine(stdout), "version: "+said) || !strings.Contains(stderr, "rehearse: "+said) {
		t.Errorf("run on another patch version: exit %d, version_drift %q, want %q in the report's header and on stderr\n%s%s", code, rep.Inputs.VersionDrift, said, stdout, stderr)
	}

	p := startSandbox(t, nil, "--engine", "local", "--snapshot", other)
	p.waitLine(t, said)
	p.waitStdout(t, "DSN: ")
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t); code != 0 {
		t.Errorf("sandbox after Ctrl-C: exit %d\n%s", code, p.errText())
	}
}

// oneLine joins a wrapped terminal text's words with single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
