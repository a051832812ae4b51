package run

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/internal/testsnapshot"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/snapshot"
)

// snapshotOf captures production's snapshot of the database app after ddl,
// with each table's row count set from rows.
func snapshotOf(t *testing.T, target testserver.Target, ddl string, rows map[string]int64) *snapshot.Snapshot {
	t.Helper()
	snap := testsnapshot.Capture(t, target, ddl, snapshot.CaptureOptions{Databases: []string{"app"}})
	for name, n := range rows {
		snap.Table("app", name).Stats.Rows = n
	}
	return snap
}

func writeProfile(t *testing.T, body string) (*load.ProfileFile, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "load.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := load.ReadProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	return f, "sha256:" + hex.EncodeToString(sum[:])
}

// The profile is what runs: a profile of inserts into orders only, while the
// release touches investments (which the default mix would load). The
// server says so, not only the generator: the pending migration deletes every
// row of both tables, and the rows each DELETE removed are the generated
// rows of investments exactly (the load never wrote there) and more than the
// generated rows of orders (the load inserted, and never deleted).
func TestLoadProfileIsWhatRuns(t *testing.T) {
	target := testserver.LocalMariaDB()
	snap := snapshotOf(t, target, sourceDDL+`;
CREATE TABLE app.orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id INT NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_at DATETIME NOT NULL
) ENGINE=InnoDB`, map[string]int64{"investments": 300, "orders": 200})
	files := baseFiles()
	files["000003_index.up.sql"] = "DELETE FROM investments;\nDELETE FROM orders;\n"
	files["000003_index.down.sql"] = "SELECT 1;\n"
	set := writeMigrations(t, files)
	prof, digest := writeProfile(t, `format: rehearse.load-profile/v1
rate: 150
connections_per_table: 3
operations:
  - table: orders
    kind: insert
    columns: [account_id, status, created_at]
`)
	rep := rehearseRun(t, target, snap, set, func(o *Options) {
		o.LoadRate = 0 // the profile's rate
		o.LoadProfile = prof
	})
	in := rep.Inputs
	if in.LoadSource != "profile" || in.LoadProfileDigest != digest || in.LoadProfile != prof.Name {
		t.Errorf("inputs say load %q from %q (%s), want profile from %s (%s)", in.LoadSource, in.LoadProfile, in.LoadProfileDigest, prof.Name, digest)
	}
	if in.LoadRate != 150 || in.LoadConns != 3 {
		t.Errorf("load rate %g, connections %d: want the profile's 150 and 3", in.LoadRate, in.LoadConns)
	}
	if len(rep.Load) != 1 || rep.Load[0].Kind != "insert" || rep.Load[0].Table != "app.orders" || rep.Load[0].Ops == 0 ||
		rep.Load[0].SQL != "INSERT INTO `app`.`orders` (`account_id`, `status`, `created_at`) VALUES (?, ?, ?)" {
		t.Errorf("load operations %+v, want only the profile's insert into app.orders, run", rep.Load)
	}
	inv, ord := stmt(t, rep, "3", 1), stmt(t, rep, "3", 2)
	if inv.Error != "" || ord.Error != "" {
		t.Fatalf("the DELETEs failed: %q, %q", inv.Error, ord.Error)
	}
	if want := in.TableRows["app.investments"]; want == 0 || inv.RowsAffected != want {
		t.Errorf("DELETE FROM investments removed %d rows, want the %d generated: the load wrote to a table outside its profile", inv.RowsAffected, want)
	}
	if gen := in.TableRows["app.orders"]; ord.RowsAffected <= gen {
		t.Errorf("DELETE FROM orders removed %d rows, want more than the %d generated (the profile's inserts)", ord.RowsAffected, gen)
	}
}

// A profile naming a table the snapshot lacks stops the rehearsal before
// any server starts, naming the file, the line and the table.
func TestLoadProfileCheckedBeforeProvision(t *testing.T) {
	snap := &snapshot.Snapshot{
		Source:  snapshot.Source{Flavor: "mariadb", Version: "10.11.6"},
		Schemas: []snapshot.Schema{{Name: "app", Tables: []snapshot.Table{{Name: "orders", Columns: []snapshot.Column{{Name: "id", DataType: "int", Type: "int"}}}}}},
	}
	prof, _ := writeProfile(t, "format: rehearse.load-profile/v1\noperations:\n  - table: orders\n    kind: insert\n  - table: ordres\n    kind: insert\n")
	o := Options{Snapshot: snap, Migrations: writeMigrations(t, baseFiles()), Engine: testserver.LocalMariaDB().Engine, LoadProfile: prof}
	if err := o.CheckLoadProfile(); err == nil || !strings.Contains(err.Error(), prof.Name+":5: operation 2: table app.ordres is not in the snapshot") {
		t.Fatalf("CheckLoadProfile: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := Run(ctx, o)
	if err == nil || !strings.Contains(err.Error(), "ordres") {
		t.Fatalf("Run: %v, want the unknown table", err)
	}
	if rep != nil { // Run refuses in Options.Check, before it has a report
		for _, p := range rep.Phases {
			if p.Name == "provision" {
				t.Errorf("a server was provisioned for a profile that cannot run: %+v", rep.Phases)
			}
		}
	}
}

// --load (Options.LoadRate) wins over the profile's rate; the profile's
// wins over the default.
func TestLoadRatePrecedence(t *testing.T) {
	prof := &load.ProfileFile{Rate: 75, ConnectionsPerTable: 5}
	for _, c := range []struct {
		o     Options
		rate  float64
		conns int
	}{
		{Options{}, DefaultLoadRate, LoadConnsPerTable},
		{Options{LoadProfile: prof}, 75, 5},
		{Options{LoadProfile: prof, LoadRate: 400}, 400, 5},
		{Options{LoadProfile: &load.ProfileFile{}}, DefaultLoadRate, LoadConnsPerTable},
	} {
		if r, n := c.o.loadRate(), c.o.loadConns(); r != c.rate || n != c.conns {
			t.Errorf("LoadRate %g, profile %+v: rate %g, connections %d; want %g, %d", c.o.LoadRate, c.o.LoadProfile, r, n, c.rate, c.conns)
		}
	}
}

// load.profile in rehearse.yaml names a file relative to the config, or holds
// the profile inline; both are read and checked by ReadConfig.
func TestConfigLoadProfile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("load.yaml", "format: rehearse.load-profile/v1\nrate: 42\noperations:\n  - table: orders\n    kind: insert\n")
	c, err := ReadConfig(write("a.yaml", "load:\n  profile: load.yaml\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f := c.LoadProfile(); f == nil || f.Rate != 42 || f.Name != filepath.Join(dir, "load.yaml") || f.Digest == "" {
		t.Fatalf("file profile: %+v", f)
	}
	c, err = ReadConfig(write("b.yaml", "load:\n  rate: 9\n  profile:\n    format: rehearse.load-profile/v1\n    operations:\n      - table: orders\n        kind: point-read\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f := c.LoadProfile(); f == nil || len(f.Operations) != 1 || f.Operations[0].Line != 6 || !strings.HasPrefix(f.Digest, "sha256:") || c.Load.Rate != 9 {
		t.Fatalf("inline profile: %+v", f)
	}
	if c, err := ReadConfig(write("c.yaml", "scale: 0.1\n")); err != nil || c.LoadProfile() != nil {
		t.Fatalf("no profile: %v %+v", err, c)
	}
	if _, err := ReadConfig(write("d.yaml", "load:\n  profile: missing.yaml\n")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing file: %v", err)
	}
}
