package datagen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

func ptr[T any](v T) *T { return &v }

// investmentsSnapshot is the benchmark's 7-column table as a hand-built
// snapshot (the shape ONLINE-DDL.md's calibration used).
func investmentsSnapshot(rows int64) *snapshot.Snapshot {
	col := func(name, typ, dt string, nullable bool, extra string) snapshot.Column {
		return snapshot.Column{Name: name, Type: typ, DataType: dt, Nullable: nullable, Extra: extra, Charset: "utf8mb4", Collation: "utf8mb4_general_ci"}
	}
	t := snapshot.Table{Name: "investments", CreateSQL: investmentsDDL, Engine: "InnoDB",
		Columns: []snapshot.Column{
			col("id", "bigint(20) unsigned", "bigint", false, "auto_increment"),
			col("account_id", "int(10) unsigned", "int", false, ""),
			col("fund_code", "char(8)", "char", false, ""),
			col("amount", "decimal(14,2)", "decimal", false, ""),
			col("status", "varchar(16)", "varchar", false, ""),
			col("created_at", "datetime", "datetime", false, ""),
			col("note", "varchar(64)", "varchar", true, ""),
		},
		Indexes: []snapshot.Index{
			{Name: "PRIMARY", Primary: true, Unique: true, Type: "BTREE", Columns: []snapshot.IndexColumn{{Name: "id", Cardinality: rows}}},
			{Name: "idx_account", Type: "BTREE", Columns: []snapshot.IndexColumn{{Name: "account_id", Cardinality: rows / 20}}},
		},
		Stats: snapshot.TableStats{Rows: rows},
	}
	for i := range t.Columns {
		t.Columns[i].Position = i + 1
	}
	t.Columns[2].CharMaxLength = ptr(int64(8))
	t.Columns[3].NumericPrecision, t.Columns[3].NumericScale = ptr(int64(14)), ptr(int64(2))
	t.Columns[4].CharMaxLength = ptr(int64(16))
	t.Columns[6].CharMaxLength = ptr(int64(64))
	t.Columns[4].Stats = &snapshot.ColumnStats{SampleRows: 10000, Distinct: 6}
	t.Columns[6].Stats = &snapshot.ColumnStats{SampleRows: 10000, NullFraction: 0.4, Distinct: rows / 2,
		Length: &snapshot.LengthStats{Min: 5, Max: 64, Avg: 24, P50: 20, P90: 48, P99: 60}}
	return &snapshot.Snapshot{Format: snapshot.FormatV1, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Source:   snapshot.Source{Flavor: "mariadb", Version: "10.11.19", ServerUUID: "bench-source"},
		Settings: map[string]string{},
		Schemas:  []snapshot.Schema{{Name: "bench", Tables: []snapshot.Table{t}}}}
}

const investmentsDDL = "CREATE TABLE `investments` (\n" +
	"  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n" +
	"  `account_id` int(10) unsigned NOT NULL,\n" +
	"  `fund_code` char(8) NOT NULL,\n" +
	"  `amount` decimal(14,2) NOT NULL,\n" +
	"  `status` varchar(16) NOT NULL,\n" +
	"  `created_at` datetime NOT NULL,\n" +
	"  `note` varchar(64) DEFAULT NULL,\n" +
	"  PRIMARY KEY (`id`),\n" +
	"  KEY `idx_account` (`account_id`)\n" +
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"

// planFor plans a snapshot without a server (no external parents).
func planFor(t testing.TB, snap *snapshot.Snapshot, o Options) []*tablePlan {
	t.Helper()
	plans, _, err := buildPlans(context.Background(), nil, snap, &o)
	if err != nil {
		t.Fatal(err)
	}
	return plans
}

func readerFor(p *tablePlan, from, to uint64) *rowReader {
	return &rowReader{ctx: context.Background(), in: p.instance(0), cols: p.loadCols(), next: from, end: to}
}

func TestRowReaderFormat(t *testing.T) {
	p := planFor(t, investmentsSnapshot(1000), Options{Seed: 1})[0]
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, readerFor(p, 0, 1000)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 1000 {
		t.Fatalf("%d lines, want 1000", len(lines))
	}
	nulls := 0
	for i, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 7 {
			t.Fatalf("line %d has %d fields: %q", i, len(f), l)
		}
		if f[6] == `\N` {
			nulls++
		}
	}
	if nulls != 400 {
		t.Errorf("note NULLs = %d, want exactly 400 (null fraction 0.4)", nulls)
	}
	// Chunked reads give the same bytes as one read (rows are a function of
	// their index, not of the reader's history).
	var a, b bytes.Buffer
	io.Copy(&a, readerFor(p, 500, 600))
	io.Copy(&b, readerFor(p, 0, 1000))
	if !strings.Contains(b.String(), a.String()) {
		t.Error("rows 500..600 read alone differ from the same rows read in sequence")
	}
	// The pipelined reader (a producer goroutine ahead of the driver) gives
	// the same bytes, and Close leaves no goroutine behind, also when the
	// reader is abandoned half-way.
	before := runtime.NumGoroutine()
	pr := readerFor(p, 0, 1000)
	pr.pipelined = true
	var c bytes.Buffer
	io.Copy(&c, pr)
	pr.Close()
	if c.String() != b.String() {
		t.Error("pipelined reader gave other bytes")
	}
	half := readerFor(investmentsPlan(t), 0, 1_000_000)
	half.pipelined = true
	half.Read(make([]byte, 100))
	half.Close()
	testserver.WaitFor(t, 10*time.Second, fmt.Sprintf("the goroutines to end after Close (%d before)", before), func() bool { return runtime.NumGoroutine() <= before })
}

func investmentsPlan(t *testing.T) *tablePlan {
	return planFor(t, investmentsSnapshot(1_000_000), Options{Seed: 1})[0]
}

// BenchmarkRowReader measures generation alone (no server): rows/s per core.
func BenchmarkRowReader(b *testing.B) {
	const n = 1_000_000
	p := planFor(b, investmentsSnapshot(n), Options{Seed: 1})[0]
	buf := make([]byte, 16<<10)
	cpu0 := cpuTime()
	b.ResetTimer()
	rows := 0
	for i := 0; i < b.N; i++ {
		r := readerFor(p, 0, 200_000)
		for {
			_, err := r.Read(buf)
			if err != nil {
				break
			}
		}
		rows += 200_000
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	// CPU time per row is what matters on a shared machine: the generator
	// competes with the server for the same cores.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(rows), "cpu-ns/row")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
