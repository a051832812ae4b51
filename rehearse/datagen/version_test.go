package datagen

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/snapshot"
)

var updateOutput = flag.Bool("update-output", false, "record the generator's output checksum for OutputVersion (after bumping it)")

// outputSumFile records, per OutputVersion, the checksum of the rows the
// generator makes for fixed snapshots.
const outputSumFile = "testdata/output.sum"

// TestOutputVersion fails when the generator's rows change without a bump of
// OutputVersion: the data cache would otherwise start rehearsals on data an
// older generator made. The checksum covers every row of every table of the
// scenario library's snapshots (both flavors) and of the investments and
// accounts fixtures, as the load streams them, at three seeds.
func TestOutputVersion(t *testing.T) {
	sum := outputChecksum(t)
	line := fmt.Sprintf("%d %s", OutputVersion, sum)
	recorded := map[int]string{}
	if b, err := os.ReadFile(outputSumFile); err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var v int
			var s string
			if _, err := fmt.Sscan(l, &v, &s); err == nil {
				recorded[v] = s
			}
		}
	}
	if *updateOutput {
		if old, ok := recorded[OutputVersion]; ok && old != sum {
			t.Fatalf("version %d is recorded with another checksum: bump OutputVersion before recording new output", OutputVersion)
		}
		recorded[OutputVersion] = sum
		var versions []int
		for v := range recorded {
			versions = append(versions, v)
		}
		sort.Ints(versions)
		var b strings.Builder
		for _, v := range versions {
			fmt.Fprintf(&b, "%d %s\n", v, recorded[v])
		}
		if err := os.WriteFile(outputSumFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, ok := recorded[OutputVersion]
	switch {
	case !ok:
		t.Fatalf("no checksum recorded for OutputVersion %d: run go test ./rehearse/datagen/ -run TestOutputVersion -update-output (got %s)", OutputVersion, line)
	case want != sum:
		t.Fatalf("the generator's output changed (checksum %s, recorded for version %d: %s) without a bump of OutputVersion: "+
			"bump it in rehearse/datagen/version.go (cached datadirs of the old output must not be used), then run "+
			"go test ./rehearse/datagen/ -run TestOutputVersion -update-output", sum, OutputVersion, want)
	}
}

// outputChecksum hashes the load stream of every table of the fixed
// snapshots, planned without a server.
func outputChecksum(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob("../../scenarios/library/*/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario snapshots under ../../scenarios/library (%v)", err)
	}
	sort.Strings(files)
	type fixture struct {
		name string
		snap *snapshot.Snapshot
		o    Options
	}
	var fixtures []fixture
	for _, f := range files {
		snap, err := snapshot.LoadFile(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		fixtures = append(fixtures, fixture{f, snap, Options{Scale: 0.002}})
	}
	fixtures = append(fixtures,
		fixture{"investments", investmentsSnapshot(20000), Options{}},
		fixture{"accounts", oneTable("bank", acctTable()), Options{Rows: map[string]int64{"acct": 5000}}},
	)
	h := sha256.New()
	for _, fx := range fixtures {
		for _, seed := range []uint64{0, 1, 42} {
			o := fx.o
			o.Seed = seed
			for _, p := range planFor(t, fx.snap, o) {
				fmt.Fprintf(h, "%s seed %d %s rows %d\n", filepath.Base(fx.name), seed, p.qname(), p.rows)
				if _, err := io.Copy(h, readerFor(p, 0, p.rows)); err != nil {
					t.Fatalf("%s %s: %v", fx.name, p.qname(), err)
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
