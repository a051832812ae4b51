package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	rehearsal "github.com/rehearse/rehearse/rehearse/run"
)

// gooseUnrelated is a goose folder none of whose migrations the shop's
// history (1, 2) holds: RH008.
var gooseUnrelated = map[string]string{
	"00010_add_customer_phone.sql": "-- +goose Up\nALTER TABLE customers ADD COLUMN phone VARCHAR(30) NULL;\n\n-- +goose Down\nALTER TABLE customers DROP COLUMN phone;\n",
	"00011_index_order_time.sql":   "-- +goose Up\nCREATE INDEX ix_created ON orders (created_at);\n\n-- +goose Down\nDROP INDEX ix_created ON orders;\n",
}

// quickRun is `rehearse run` on the fixture with a short rehearsal,
// returning the exit code, stderr and the JSON report's findings.
func quickRun(t *testing.T, f shopFixture, args ...string) (int, string, []struct{ Code, Severity string }, []string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.json")
	base := []string{"run", "--engine", "local", "--scale", "0.5", "--baseline", "500ms", "--app-compat-window", "300ms", "--load", "50", "-o", out}
	code, _, stderr := runRehearse(t, nil, append(base, args...)...)
	var rep struct {
		Findings   []struct{ Code, Severity string }
		Migrations []struct{ Version, Status string }
	}
	if b, err := os.ReadFile(out); err == nil {
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatalf("report: %v", err)
		}
	}
	var applied []string
	for _, m := range rep.Migrations {
		applied = append(applied, m.Version+":"+m.Status)
	}
	return code, stderr, rep.Findings, applied
}

func hasFinding(fs []struct{ Code, Severity string }, code, sev string) bool {
	for _, f := range fs {
		if f.Code == code && (sev == "" || f.Severity == sev) {
			return true
		}
	}
	return false
}

// TestConfigSeverityOverride: rehearse.yaml's rules: severities are
// honoured for RH008 (documented in docs/rules/RH008.md) by plan and run:
// at its default, a history that shares nothing with the folder stops both
// (exit 2); at warning both go on, with every migration the history lacks
// pending and RH008 reported as a warning; disabled, it is not reported.
func TestConfigSeverityOverride(t *testing.T) {
	requireLocalMariaDB(t)
	f := newShop(t, gooseUnrelated)
	plan := []string{"plan", "--engine", "local", "--snapshot", f.Snapshot, "--migrations", f.Migrations}

	code, _, stderr := runRehearse(t, nil, plan...)
	if code != 2 || !strings.Contains(stderr, "share no migration") {
		t.Fatalf("RH008 at its default severity: exit %d, want 2\n%s", code, stderr)
	}

	warn := f.write(t, "warn.yaml", "rules:\n  RH008: {severity: warning}\n")
	code, stdout, stderr := runRehearse(t, nil, append(plan, "--config", warn)...)
	if code != 0 || !strings.Contains(stdout, "RH008") || !strings.Contains(stdout, "00010") || !strings.Contains(stdout, "00011") {
		t.Errorf("plan, RH008 at warning: exit %d, want 0 with RH008 and both migrations pending\n%s%s", code, stdout, stderr)
	}
	code, stderr, findings, applied := quickRun(t, f, "--snapshot", f.Snapshot, "--migrations", f.Migrations, "--config", warn)
	if code != 0 || !hasFinding(findings, "RH008", "warning") || len(applied) != 2 {
		t.Errorf("run, RH008 at warning: exit %d, findings %v, migrations %v\n%s", code, findings, applied, stderr)
	}

	off := f.write(t, "off.yaml", "rules:\n  RH008:\n    disabled: true\n")
	code, stdout, stderr = runRehearse(t, nil, append(plan, "--config", off, "--no-verify")...)
	if code != 0 || strings.Contains(stdout, "RH008") {
		t.Errorf("plan, RH008 disabled: exit %d, want 0 without RH008\n%s%s", code, stdout, stderr)
	}
}

// TestConfigStrict: every command that takes --config reads it with the
// one loader, which refuses what it does not know (exit 2, before any
// server) and names the file, the line and the key.
func TestConfigStrict(t *testing.T) {
	dir := exportSeed(t)
	snap, mig := filepath.Join(dir, "snapshot.json"), filepath.Join(dir, "migrations")
	for _, c := range []struct{ yaml, want string }{
		{"scale: 0.1\nlod:\n  rate: 5\n", `:2: unknown key "lod"`},
		{"load:\n  rate: 5\n  rat: 6\n", `:3: unknown key in load: "rat"`},
		{"gates:\n  max-writer-stall: 2s\n  max-writer-stal: 2s\n", `:3: gates.max-writer-stal`},
		{"rules:\n  RH1O1: {severity: warning}\n", `:2: rules: "RH1O1" is not a finding code`}, // a letter O for a zero
		{"rules:\n  RH101: {severity: warning, large_rows: 5}\n", `:2: rules: RH101: unknown setting "large_rows"`},
		{"rules:\n  RH008:\n    severity: fatal\n", `:3: rules: RH008: severity "fatal"`},
		{"history:\n  first_adoptoin: true\n", `:2: unknown key in history: "first_adoptoin"`},
		{"lock_wait_timeout: soon\n", `:1: lock_wait_timeout`},
	} {
		cfg := filepath.Join(t.TempDir(), "rehearse.yaml")
		if err := os.WriteFile(cfg, []byte(c.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range [][]string{
			{"plan", "--no-verify"},
			{"run", "--engine", "local"},
			{"capacity", "--engine", "local"},
			{"load-profile"},
		} {
			args := append(cmd, "--snapshot", snap, "--migrations", mig, "--config", cfg)
			code, _, stderr := runRehearse(t, nil, args...)
			if code != 2 || !strings.Contains(stderr, cfg+c.want) {
				t.Errorf("%s with %q: exit %d, want 2 naming %q\n%s", cmd[0], c.yaml, code, cfg+c.want, stderr)
			}
		}
	}
}

// TestConfigDiscovered: without --config, every command that takes one
// reads ./rehearse.yaml the same way, and says so.
func TestConfigDiscovered(t *testing.T) {
	dir := exportSeed(t)
	t.Chdir(dir) // the export's rehearse.yaml names snapshot.json and migrations/
	if err := os.WriteFile("rehearse.yaml", []byte("snapshot: snapshot.json\nmigrations: migrations\nscale: 0.1\nload: {rate: 5, baseline: 1s}\nrules:\n  RH101: {disabled: true}\nlod: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"plan", "--no-verify"}, {"run", "--engine", "local"}, {"capacity", "--engine", "local"}, {"load-profile"}} {
		code, _, stderr := runRehearse(t, nil, cmd...)
		if code != 2 || !strings.Contains(stderr, "reading ./rehearse.yaml") || !strings.Contains(stderr, `rehearse.yaml:7: unknown key "lod"`) {
			t.Errorf("%s in a folder with a rehearse.yaml: exit %d, want 2 from its unknown key\n%s", cmd[0], code, stderr)
		}
	}
	if err := os.WriteFile("rehearse.yaml", []byte("snapshot: snapshot.json\nmigrations: migrations\nrules:\n  RH101: {disabled: true}\n  RH102: {disabled: true}\n  RH109: {disabled: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runRehearse(t, nil, "plan", "--no-verify")
	if code == 2 || strings.Contains(stdout, "RH101") || !strings.Contains(stdout, "20240306") {
		t.Errorf("plan from ./rehearse.yaml with RH101 disabled: exit %d\n%s%s", code, stdout, stderr)
	}
}

// docExample is the rehearse.yaml example of docs/config.md (the first
// yaml block after "## Example").
func docExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "config.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "## Example")
	if ok {
		_, rest, ok = strings.Cut(rest, "```yaml\n")
	}
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/config.md has no ```yaml block under ## Example")
	}
	return block
}

// configKeyPaths lists the keys rehearse.yaml takes, from the loader's
// type: "load.rate", "history.first_adoption", ... (maps and the rules
// node are one key each).
func configKeyPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(yaml.Node{}) && f.Type.NumField() > 0 && f.Type.Field(0).IsExported() {
			out = append(out, configKeyPaths(f.Type, prefix+name+".")...)
			continue
		}
		out = append(out, prefix+name)
	}
	return out
}

// TestConfigDocumentedExample: the example in docs/config.md holds every
// key the loader knows, and each one changes what the commands do: a real
// `rehearse run --config` of it on the shop fixture reports the engine,
// scale, seed, rows, load, profile, lock wait, injection, gates, roundtrip, keep_going
// and settings it names; `rehearse plan --config` takes the snapshot,
// migrations and format from it; the rules: section gives the severities
// and options; history.first_adoption is read (true contradicts the
// fixture's goose history: exit 2).
func TestConfigDocumentedExample(t *testing.T) {
	requireLocalMariaDB(t)
	example := docExample(t)
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(example), &doc); err != nil {
		t.Fatalf("the example does not parse: %v", err)
	}
	for _, key := range configKeyPaths(reflect.TypeOf(rehearsal.Config{}), "") {
		n := doc.Content[0]
		for _, part := range strings.Split(key, ".") {
			var next *yaml.Node
			for i := 0; n != nil && i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					next = n.Content[i+1]
				}
			}
			n = next
		}
		if n == nil {
			t.Errorf("docs/config.md's example lacks %s", key)
		}
	}

	f := newShop(t, nil)
	if err := os.Rename(f.Snapshot, filepath.Join(f.Dir, "prod.json")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runRehearse(t, nil, "load-profile", "--snapshot", filepath.Join(f.Dir, "prod.json"), "--migrations", f.Migrations, "-o", filepath.Join(f.Dir, "load.yaml")); code != 0 {
		t.Fatalf("load-profile: exit %d\n%s", code, stderr)
	}
	cfgFile := f.write(t, "rehearse.yaml", example)
	cfg, err := rehearsal.ReadConfig(cfgFile)
	if err != nil {
		t.Fatal(err)
	}

	report := filepath.Join(f.Dir, "report.json")
	code, _, stderr := runRehearse(t, nil, "run", "--config", cfgFile, "--app-compat-window", "300ms", "-o", report)
	if code == 2 {
		t.Fatalf("run --config (the example): exit 2\n%s", stderr)
	}
	var rep struct {
		Inputs struct {
			Engine      string
			Scale       float64
			Seed        int64
			TableRows   map[string]int64 `json:"table_rows"`
			LoadRate    float64          `json:"load_rate"`
			LoadProfile string           `json:"load_profile"`
			Settings    []string
			Lockwait    float64 `json:"lock_wait_timeout_s"`
			KeepGoing   bool    `json:"keep_going"`
		}
		Injections   []struct{ Spec string }
		Gates        []struct{ Name, Limit string }
		GateSettings []struct{ Name, Limit string } `json:"gate_settings"`
		Phases       []struct{ Name, Detail, Status string }
	}
	b, err := os.ReadFile(report)
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("report: %v", err)
	}
	in := rep.Inputs
	check := func(key string, ok bool, got any) {
		if !ok {
			t.Errorf("%s of the example not honoured: the report has %v", key, got)
		}
	}
	check("engine", in.Engine == cfg.Engine, in.Engine)
	check("scale", in.Scale == cfg.Scale, in.Scale)
	check("seed", in.Seed == cfg.Seed, in.Seed)
	check("rows", in.TableRows["shop.orders"] == cfg.Rows["orders"], in.TableRows)
	check("load.rate", in.LoadRate == cfg.Load.Rate, in.LoadRate)
	check("load.profile", strings.HasSuffix(in.LoadProfile, "load.yaml"), in.LoadProfile)
	check("settings", slices.Contains(in.Settings, "innodb_lock_wait_timeout="+cfg.Settings["innodb_lock_wait_timeout"]), in.Settings)
	check("lock_wait_timeout", fmt.Sprint(in.Lockwait)+"s" == cfg.LockWaitTimeout, in.Lockwait)
	check("inject", len(rep.Injections) == 1 && rep.Injections[0].Spec == cfg.Inject[0], rep.Injections)
	check("keep_going", in.KeepGoing == cfg.KeepGoing && cfg.KeepGoing, in.KeepGoing)
	gates := map[string]string{}
	for _, g := range rep.GateSettings {
		gates[g.Name] = g.Limit
	}
	for name, limit := range cfg.Gates {
		check("gates."+name, gates[name] == limit, gates)
	}
	phases := map[string]string{}
	for _, p := range rep.Phases {
		phases[p.Name] = p.Detail
	}
	check("load.baseline", phases["baseline"] == cfg.Load.Baseline, phases["baseline"])
	_, roundtrip := phases["roundtrip"]
	check("roundtrip", roundtrip, phases)

	planFile := filepath.Join(f.Dir, "plan.json")
	code, _, stderr = runRehearse(t, nil, "plan", "--config", cfgFile, "-o", planFile)
	var p struct {
		Snapshot   struct{ File string }
		Migrations struct {
			Dir, Format string
			Detected    string
		}
		Sandbox *struct{ Engine string }
	}
	if b, err := os.ReadFile(planFile); err != nil || json.Unmarshal(b, &p) != nil || code == 2 {
		t.Fatalf("plan --config (the example): exit %d, %v\n%s", code, err, stderr)
	}
	check("snapshot", p.Snapshot.File == cfg.Path(cfg.Snapshot), p.Snapshot.File)
	check("migrations", p.Migrations.Dir == cfg.Path(cfg.Migrations), p.Migrations.Dir)
	check("format", p.Migrations.Format == cfg.Format && strings.Contains(p.Migrations.Detected, "named"), p.Migrations)
	check("engine (plan)", p.Sandbox != nil && p.Sandbox.Engine == cfg.Engine, p.Sandbox)

	rules := cfg.Plan()
	for code, want := range map[string]string{"RH008": "warning", "RH101": "warning"} {
		sev, on := rules.Severity(code, "error")
		check("rules."+code+".severity", on && string(sev) == want, sev)
	}
	_, on := rules.Severity("RH106", "warning")
	check("rules.RH106.disabled", !on, on)
	check("rules.RH101.large_table_rows", rules.Rules["RH101"].Int("large_table_rows", 0) == 5000000, rules.Rules["RH101"])
	check("rules.RH109.max_lock_wait_timeout", rules.Rules["RH109"].Int("max_lock_wait_timeout", 0) == 60, rules.Rules["RH109"])

	adopt := f.write(t, "adopt.yaml", strings.Replace(example, "first_adoption: false", "first_adoption: true", 1))
	code, _, stderr = runRehearse(t, nil, "plan", "--config", adopt, "--no-verify")
	check("history.first_adoption", code == 2 && strings.Contains(stderr, "first adoption declared"), stderr)
}
