package restore_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testcorpus"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

// TestBenchSnapshot measures capture and restore (issue 3's speed goals) on
// a local sandbox: a generated 1,000-table schema and the employees schema.
// Baselines in the same run: mariadb-dump --no-data of the same database
// (what people use today) for capture, and loading that dump statement by
// statement for restore. It also shows that a capture's memory does not grow
// with the tables' rows. Run by scripts/bench.d/snapshot.sh
// (REHEARSE_BENCH=1).
func TestBenchSnapshot(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/snapshot.sh")
	ctx := context.Background()
	tgt := testserver.LocalMariaDB()
	srcSrv := testserver.Start(t, tgt)
	src, err := srcSrv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	load(t, src, "wide", []byte(wideSchema(1000)))
	load(t, src, "employees.sql", testcorpus.File(t, "employees-schema/employees.sql"))

	for _, c := range []struct {
		db                    string
		captureGoal, restGoal time.Duration
	}{{"wide", 5 * time.Second, 10 * time.Second}, {"employees", time.Second, 2 * time.Second}} {
		var snap *snapshot.Snapshot
		capture := median(5, func() time.Duration {
			t0 := time.Now()
			snap, err = snapshot.Capture(ctx, src, snapshot.CaptureOptions{Databases: []string{c.db}})
			if err != nil {
				t.Fatal(err)
			}
			return time.Since(t0)
		})
		dump := median(3, func() time.Duration { return dumpTime(t, srcSrv.Port, c.db) })
		var js bytes.Buffer
		snapshot.Write(&js, snap)
		fmt.Printf("BENCH snapshot capture %-9s %4d tables  %8s  (goal <= %s)  mariadb-dump --no-data %8s  ratio %.2fx  file %d KiB\n",
			c.db, len(snap.Schemas[0].Tables), capture.Round(time.Millisecond), c.captureGoal, dump.Round(time.Millisecond),
			float64(capture)/float64(dump), js.Len()/1024)

		dstSrv := testserver.Start(t, tgt)
		dst, err := dstSrv.Open("")
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		rest := median(3, func() time.Duration {
			i++
			t0 := time.Now()
			if err := restore.Apply(ctx, dst, snap, restore.Options{RelaxDurability: true, Databases: map[string]string{c.db: fmt.Sprintf("%s_%d", c.db, i)}}); err != nil {
				t.Fatal(err)
			}
			return time.Since(t0)
		})
		// Two baselines replay mariadb-dump's output on the same footing
		// (innodb_flush_log_at_trx_commit=0, as Apply's RelaxDurability):
		// the real client (`mariadb db < dump`), and rehearse's own dump
		// loader (restore.LoadDump, what `snapshot --from-dump` uses).
		dumpText := dumpSQL(t, srcSrv.Port, c.db)
		testserver.Exec(t, dst, "SET GLOBAL innodb_flush_log_at_trx_commit = 0")
		client := testserver.Tool(t, "mariadb", "mariadb-client")
		viaClient := median(3, func() time.Duration {
			i++
			name := fmt.Sprintf("%s_%d", c.db, i)
			testserver.Exec(t, dst, "CREATE DATABASE "+name)
			cmd := exec.Command(client, "-h127.0.0.1", fmt.Sprintf("-P%d", dstSrv.Port), "-uroot", name)
			cmd.Stdin = strings.NewReader(dumpText)
			t0 := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("mariadb < dump of %s: %v\n%s", c.db, err, out)
			}
			return time.Since(t0)
		})
		viaLoader := median(3, func() time.Duration {
			i++
			t0 := time.Now()
			if err := restore.LoadDump(ctx, dst, strings.NewReader(dumpText), restore.DumpOptions{Database: fmt.Sprintf("%s_%d", c.db, i)}); err != nil {
				t.Fatal(err)
			}
			return time.Since(t0)
		})
		fmt.Printf("BENCH snapshot restore %-9s %4d tables  %8s  (goal <= %s)  mariadb client < dump %8s  ratio %.2fx  rehearse's dump loader (restore.LoadDump) %8s  ratio %.2fx\n",
			c.db, len(snap.Schemas[0].Tables), rest.Round(time.Millisecond), c.restGoal, viaClient.Round(time.Millisecond), float64(rest)/float64(viaClient),
			viaLoader.Round(time.Millisecond), float64(rest)/float64(viaLoader))
		dst.Close()
	}

	// Memory is flat in rows: the same table empty and with 200,000 rows.
	testserver.Exec(t, src, "CREATE DATABASE rowsbench", "CREATE TABLE rowsbench.t (id int PRIMARY KEY, v varchar(100), n int, KEY (n))")
	empty := allocs(t, ctx, src, "rowsbench")
	testserver.Exec(t, src, "INSERT INTO rowsbench.t SELECT seq, REPEAT('x', seq % 100), seq % 1000 FROM rowsbench.seq_1_to_200000", "ANALYZE TABLE rowsbench.t")
	full := allocs(t, ctx, src, "rowsbench")
	fmt.Printf("BENCH snapshot memory   capture allocations: empty table %d KiB, 200,000 rows %d KiB  ratio %.2fx (goal: flat, ~1x)\n",
		empty/1024, full/1024, float64(full)/float64(empty))
}

func allocs(t *testing.T, ctx context.Context, db *sql.DB, name string) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{name}}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func median(n int, f func() time.Duration) time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		ds[i] = f()
	}
	for i := range ds {
		for j := i + 1; j < len(ds); j++ {
			if ds[j] < ds[i] {
				ds[i], ds[j] = ds[j], ds[i]
			}
		}
	}
	return ds[n/2]
}

func dumpArgs(port int, db string) []string {
	return []string{"--no-data", "--routines", "--triggers", "--events", "--skip-comments", "-h127.0.0.1", fmt.Sprintf("-P%d", port), "-uroot", db}
}

func dumpTime(t *testing.T, port int, db string) time.Duration {
	t0 := time.Now()
	dumpSQL(t, port, db)
	return time.Since(t0)
}

func dumpSQL(t *testing.T, port int, db string) string {
	bin := testserver.Tool(t, "mariadb-dump", "mariadb-client")
	out, err := exec.Command(bin, dumpArgs(port, db)...).Output()
	if err != nil {
		t.Fatalf("mariadb-dump: %v", err)
	}
	return string(out)
}

// wideSchema is a schema of n tables of ten columns, three indexes and a
// foreign key to the previous table, plus a view per 50 tables.
func wideSchema(n int) string {
	var b strings.Builder
	b.WriteString("CREATE DATABASE wide;\nUSE wide;\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "CREATE TABLE t%04d (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, parent_id bigint unsigned NULL, "+
			"name varchar(100) NOT NULL DEFAULT '', email varchar(255) NULL, status enum('new','active','gone') NOT NULL DEFAULT 'new', "+
			"amount decimal(12,2) NOT NULL DEFAULT 0, flags int NOT NULL DEFAULT 0, note text, created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP, "+
			"updated_at timestamp NULL ON UPDATE CURRENT_TIMESTAMP, KEY idx_name (name), UNIQUE KEY uq_email (email), KEY idx_status_created (status, created_at)", i)
		if i > 0 {
			fmt.Fprintf(&b, ", CONSTRAINT fk_t%04d_parent FOREIGN KEY (parent_id) REFERENCES t%04d (id)", i, i-1)
		}
		b.WriteString(") ENGINE=InnoDB;\n")
		if i%50 == 49 {
			fmt.Fprintf(&b, "CREATE VIEW v%04d AS SELECT id, name FROM t%04d WHERE status = 'active';\n", i, i)
		}
	}
	return b.String()
}
