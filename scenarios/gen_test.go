package scenarios

import (
	"bytes"
	"context"
	"crypto/sha1"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

var update = flag.Bool("update", false, "regenerate the scenarios' snapshots from schema/*.sql on a real server (TestGenerateSnapshots)")

// snapshotSpec is one entry of a scenario's stats.yaml: how to make one
// snapshot file.
type snapshotSpec struct {
	Source   string `yaml:"source"`   // schema/*.sql, run on a fresh database
	Database string `yaml:"database"` // the database the source creates objects in
	Host     string `yaml:"host"`     // recorded (redacted) as the source's host
	// Rows are production's row counts per table.
	Rows map[string]int64 `yaml:"rows"`
	// AvgRowLength per table: estimated from the column types, used for
	// the byte figures (rows x length).
	AvgRowLength map[string]int64 `yaml:"avg_row_length"`
}

func readSpecs(t *testing.T, s *Scenario) map[string]snapshotSpec {
	t.Helper()
	b, err := s.ReadFile("stats.yaml")
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]snapshotSpec{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&specs); err != nil {
		t.Fatalf("%s/stats.yaml: %v", s.Name, err)
	}
	return specs
}

// TestGenerateSnapshots makes every scenario's snapshot files from a real
// server: it creates the schema of schema/*.sql in a sandbox, captures it
// with snapshot.Capture, then sets production's figures from stats.yaml.
// Run it with -update after changing a schema or stats.yaml:
//
//	go test ./scenarios -run TestGenerateSnapshots -update
func TestGenerateSnapshots(t *testing.T) {
	if !*update {
		testserver.Deselected(t, "a generator: run with -update to regenerate the scenarios' snapshots")
	}
	// MariaDB 10.11 makes the snapshots the configs name; MySQL 9.7 their
	// .mysql.json siblings (rehearsals on MySQL restore those).
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) { generateOn(t, target) })
	}
}

func generateOn(t *testing.T, target testserver.Target) {
	srv := testserver.Start(t, target)
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, s := range All() {
		specs := readSpecs(t, s)
		names := make([]string, 0, len(specs))
		for n := range specs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, file := range names {
			spec := specs[file]
			src, err := s.ReadFile(spec.Source)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+spec.Database+"`"); err != nil {
				t.Fatal(err)
			}
			if err := restore.LoadDump(ctx, db, bytes.NewReader(src), restore.DumpOptions{Name: s.Name + "/" + spec.Source, Database: spec.Database}); err != nil {
				t.Fatal(err)
			}
			host := spec.Host
			if host == "" {
				host = strings.TrimSuffix(file, ".json") + "-db.example:3306"
			}
			snap, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{
				Databases: []string{spec.Database}, Host: host,
				Origin: "scenario " + s.Name + " (" + spec.Source + ")", Tool: "rehearse scenarios generator",
			})
			if err != nil {
				t.Fatal(err)
			}
			outName := flavorFile(file, string(srv.Flavor))
			if err := applyFigures(snap, s.Name, outName, spec); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join("library", s.Name, outName)
			if err := snapshot.WriteFile(out, snap); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, "DROP DATABASE `"+spec.Database+"`"); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", out)
		}
	}
}

// applyFigures replaces the sandbox's statistics with production's and
// gives the snapshot a stable identity.
func applyFigures(snap *snapshot.Snapshot, scenario, file string, spec snapshotSpec) error {
	sum := sha1.Sum([]byte(scenario + "/" + file))
	h := fmt.Sprintf("%x", sum)
	snap.Source.ServerUUID = h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	snap.CreatedAt = snap.CreatedAt.UTC().Truncate(time.Second)
	seen := map[string]bool{}
	for i := range snap.Schemas {
		for j := range snap.Schemas[i].Tables {
			tb := &snap.Schemas[i].Tables[j]
			n, ok := spec.Rows[tb.Name]
			if !ok {
				continue
			}
			seen[tb.Name] = true
			tb.Stats.Rows = n
			tb.Stats.ExactRows = nil
			if l := spec.AvgRowLength[tb.Name]; l > 0 {
				tb.Stats.AvgRowLength = l
				tb.Stats.DataBytes = n * l
			}
			for _, c := range tb.Columns {
				if strings.Contains(c.Extra, "auto_increment") {
					next := uint64(n) + 1
					tb.Stats.AutoIncrement = &next
				}
			}
		}
	}
	for name := range spec.Rows {
		if !seen[name] {
			return fmt.Errorf("%s/stats.yaml: %s: no table %s in %s", scenario, file, name, spec.Source)
		}
	}
	return nil
}

// TestMain keeps the -update flag parse in one place.
func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(m.Run())
}
