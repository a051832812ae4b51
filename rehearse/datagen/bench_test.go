package datagen

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/snapshot"
)

// TestBenchDatagen is the generator's benchmark (scripts/bench.d/datagen.sh,
// REHEARSE_BENCH=1). Every figure is measured on one MariaDB sandbox in one
// run, and every ratio is against a baseline of that same run:
//
//   - ceiling: LOAD DATA LOCAL INFILE of ready files of the same rows with
//     the best strategy any loader has — generate's session settings, the
//     secondary index kept, or dropped and rebuilt as generate does, one
//     stream or two — vs `rehearse generate` (goal >= 0.9x) on a 4.2M-row
//     7-column investments table;
//   - sysbench oltp_read_write prepare (2 tables x 2.1M rows, --threads=2)
//     vs `rehearse generate` on a snapshot of its sbtest tables (goal >= 1.1x);
//   - naive one-autocommit-INSERT-per-row on a sample, extrapolated;
//   - peak RSS of the generate process (goal <= 200 MB);
//   - employees at scale 1.0: total time and rows/s;
//   - what each fast path buys (LOAD DATA vs INSERT, checks off vs on,
//     secondary indexes kept vs rebuilt, 2 streams vs 1).
//
// REHEARSE_BENCH_ROWS scales the investments row count (default 4,200,000).
func TestBenchDatagen(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/datagen.sh")
	rows := int64(4_200_000)
	if v := os.Getenv("REHEARSE_BENCH_ROWS"); v != "" {
		rows, _ = strconv.ParseInt(v, 10, 64)
	}
	bin := benchBinary(t)
	target := testserver.LocalMariaDB()
	target.Options.Settings = map[string]string{"innodb_buffer_pool_size": "1G", "innodb_log_file_size": "512M", "max_allowed_packet": "64M"}
	srv := testserver.Start(t, target)
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	report := func(format string, args ...any) { fmt.Printf("BENCH datagen: "+format+"\n", args...) }
	report("server %s %s, buffer pool 1G, %d CPUs shared by server and generator", srv.Flavor, srv.Version, runtimeCPUs())

	// --- investments: ceiling vs generate ---------------------------------
	snap := investmentsSnapshot(rows)
	snapFile := filepath.Join(dir, "investments.json")
	if err := snapshot.WriteFile(snapFile, snap); err != nil {
		t.Fatal(err)
	}
	freshDB := func(name string) {
		testserver.Exec(t, db, "DROP DATABASE IF EXISTS "+name, "CREATE DATABASE "+name)
		c, _ := db.Conn(context.Background())
		defer c.Close()
		c.ExecContext(context.Background(), "USE "+name)
		if _, err := c.ExecContext(context.Background(), investmentsDDL); err != nil {
			t.Fatal(err)
		}
	}
	// The ceiling: LOAD DATA LOCAL of ready files of the same rows, with
	// the best strategy any loader has (the one generate has): the same
	// session settings (checks off, time zone, sql_mode), the secondary
	// index kept during the load, or dropped and added back after it (as
	// generate does at this size), in one stream or two (the file's two
	// halves at once; innodb_autoinc_lock_mode=1 serialises two bulk loads
	// into one table with an AUTO_INCREMENT column, so this may not help).
	// The fastest is the ceiling generate is held to.
	file := filepath.Join(dir, "investments.tsv")
	halves := [2]string{filepath.Join(dir, "investments.0.tsv"), filepath.Join(dir, "investments.1.tsv")}
	writeCeilingFile(t, snap, file, 0, uint64(rows))
	writeCeilingFile(t, snap, halves[0], 0, uint64(rows/2))
	writeCeilingFile(t, snap, halves[1], uint64(rows/2), uint64(rows))
	defer os.Remove(file)
	defer os.Remove(halves[0])
	defer os.Remove(halves[1])
	rounds := 2
	if v := os.Getenv("REHEARSE_BENCH_ROUNDS"); v != "" {
		rounds, _ = strconv.Atoi(v)
	}
	plan := planFor(t, snap, Options{})[0]
	plan.db = "ceiling"
	ceilings := []struct {
		name    string
		rebuild bool
		files   []string
	}{
		{"index kept, 1 stream", false, []string{file}},
		{"index dropped and rebuilt, 1 stream", true, []string{file}},
		{"index dropped and rebuilt, 2 streams", true, halves[:]},
	}
	// Alternate the runs and keep the best of each: the machine is shared,
	// and interference only ever slows a run down.
	ceil := map[string]float64{}
	ours := map[string]float64{}
	var peak int64
	for round := 0; round < rounds; round++ {
		for _, c := range ceilings {
			freshDB("ceiling")
			el := timeIt(func() { loadCeiling(t, db, plan, c.rebuild, c.files) })
			testserver.Exec(t, db, "DROP DATABASE ceiling")
			ceil[c.name] = max(ceil[c.name], float64(rows)/el.Seconds())
			report("round %d: ceiling, LOAD DATA LOCAL of ready files, generate's session settings, %s: %s = %.0f rows/s", round+1, c.name, el.Round(time.Millisecond), float64(rows)/el.Seconds())
		}
		for _, strat := range []string{"rebuild", "keep"} {
			freshDB("bench")
			el, rss := runCLI(t, bin, "--snapshot", snapFile, "--dsn", srv.DSN(), "--indexes", strat)
			peak = max(peak, rss)
			ours[strat] = max(ours[strat], float64(rows)/el.Seconds())
			report("round %d: generate --indexes %s: %s = %.0f rows/s; peak RSS %d MB", round+1, strat, el.Round(time.Millisecond), float64(rows)/el.Seconds(), rss>>20)
		}
	}
	def := "keep"
	if wantsRebuild(IndexAuto, &tablePlan{rows: uint64(rows)}) {
		def = "rebuild"
	}
	auto := ours[def]
	best, bestName := 0.0, ""
	for _, c := range ceilings {
		if ceil[c.name] > best {
			best, bestName = ceil[c.name], c.name
		}
	}
	report("investments %d rows, best of %d: ceiling (the fastest LOAD DATA of ready files: %s) %.0f rows/s; generate (default strategy at this size: %s) %.0f rows/s = %.2fx ceiling (goal >= 0.9x)",
		rows, rounds, bestName, best, def, auto, auto/best)
	for _, c := range ceilings {
		report("  generate / ceiling with %s (%.0f rows/s): %.2fx", c.name, ceil[c.name], auto/ceil[c.name])
	}
	report("secondary index rebuilt after the load vs kept during it: %.0f vs %.0f rows/s = %.2fx", ours["rebuild"], ours["keep"], ours["rebuild"]/ours["keep"])
	report("generator peak RSS: %d MB (goal <= 200 MB)", peak>>20)
	testserver.Exec(t, db, "DROP DATABASE IF EXISTS bench")

	// --- naive baseline ----------------------------------------------------
	const sample = 5000
	freshDB("naive")
	naive := float64(sample) / naiveInserts(t, db, snap, sample).Seconds()
	report("naive one autocommit INSERT per row: %.0f rows/s (sample of %d rows); generate is %.0fx faster", naive, sample, auto/naive)
	testserver.Exec(t, db, "DROP DATABASE naive")

	// --- sysbench ------------------------------------------------------------
	sbRows := rows / 2
	testserver.Exec(t, db, "CREATE DATABASE sbtest")
	sb := timeIt(func() {
		cmd := exec.Command("sysbench", "oltp_read_write", "--db-driver=mysql", "--mysql-host=127.0.0.1",
			"--mysql-port="+strconv.Itoa(srv.Port), "--mysql-user=root", "--mysql-db=sbtest", "--tables=2",
			"--table-size="+strconv.FormatInt(sbRows, 10), "--threads=2", "prepare")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sysbench: %v\n%s", err, out)
		}
	})
	sbRate := float64(2*sbRows) / sb.Seconds()
	report("sysbench oltp_read_write prepare --threads=2, 2 x %d rows: %s = %.0f rows/s", sbRows, sb.Round(time.Millisecond), sbRate)
	sbSnap := capture(t, &testDB{db: db}, true, "sbtest")
	// The shape is captured from this scratch sandbox and generated back
	// into it: the snapshot is given another source, as the investments
	// snapshot has (the CLI refuses a target that is the snapshot's source).
	benchSource(sbSnap)
	setRows(sbSnap, map[string]int64{"sbtest1": sbRows, "sbtest2": sbRows})
	sbFile := filepath.Join(dir, "sbtest.json")
	if err := snapshot.WriteFile(sbFile, sbSnap); err != nil {
		t.Fatal(err)
	}
	testserver.Exec(t, db, "DROP DATABASE sbtest", "CREATE DATABASE sbtest")
	for _, tb := range sbSnap.Schemas[0].Tables {
		testserver.Exec(t, db, strings.Replace(tb.CreateSQL, "CREATE TABLE `", "CREATE TABLE `sbtest`.`", 1))
	}
	el, rss := runCLI(t, bin, "--snapshot", sbFile, "--dsn", srv.DSN(), "--parallel", "2")
	sbOurs := float64(2*sbRows) / el.Seconds()
	report("generate on a snapshot of sbtest (same shape, --parallel 2): %s = %.0f rows/s = %.2fx sysbench (goal >= 1.1x); peak RSS %d MB", el.Round(time.Millisecond), sbOurs, sbOurs/sbRate, rss>>20)
	testserver.Exec(t, db, "DROP DATABASE sbtest")

	// --- employees at scale 1.0 ---------------------------------------------
	{
		ddl := corpus(t, "employees-schema/employees_schema_only.derived.sql")
		testserver.Exec(t, db, "CREATE DATABASE employees")
		execIn(t, &testDB{db: db}, "employees", ddl)
		es := capture(t, &testDB{db: db}, false, "employees")
		benchSource(es) // as sbtest's: captured from this sandbox
		setRows(es, employeesRows)
		ef := filepath.Join(dir, "employees.json")
		if err := snapshot.WriteFile(ef, es); err != nil {
			t.Fatal(err)
		}
		var total int64
		for _, n := range employeesRows {
			total += n
		}
		el, rss := runCLI(t, bin, "--snapshot", ef, "--dsn", srv.DSN())
		report("employees at scale 1.0: %d rows in 6 tables in %s = %.0f rows/s; peak RSS %d MB", total, el.Round(time.Millisecond), float64(total)/el.Seconds(), rss>>20)
		// Fast path: 2 streams vs 1 (scale 0.3).
		var times [2]time.Duration
		for i, par := range []string{"1", "2"} {
			times[i], _ = runCLIErr(bin, "--snapshot", ef, "--dsn", srv.DSN(), "--truncate", "--scale", "0.3", "--parallel", par)
		}
		report("fast path, parallel streams (employees at scale 0.3): 1 stream %s, 2 streams %s: %.2fx", times[0].Round(time.Millisecond), times[1].Round(time.Millisecond), times[0].Seconds()/times[1].Seconds())
		testserver.Exec(t, db, "DROP DATABASE employees")
	}

	// --- fast paths on investments (1M rows) ---------------------------------
	small := min(rows, 500_000)
	ss := investmentsSnapshot(small)
	measure := func(name string, o Options) float64 {
		freshDB("bench")
		res, err := Generate(context.Background(), db, ss, o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res.RowsPerSec()
	}
	load := measure("load", Options{})
	ins := measure("insert", Options{Insert: true})
	report("fast path, LOAD DATA LOCAL vs multi-row INSERT (%d rows): %.0f vs %.0f rows/s: %.2fx", small, load, ins, load/ins)
	checksOn = true
	on := measure("checks on", Options{})
	checksOn = false
	report("fast path, unique/foreign-key checks off vs on (%d rows): %.0f vs %.0f rows/s: %.2fx", small, load, on, load/on)
	pipelineLoads = false
	inline := measure("inline", Options{})
	pipelineLoads = true
	report("fast path, rows generated ahead in a goroutine vs inline in the driver's read (%d rows): %.0f vs %.0f rows/s: %.2fx", small, load, inline, load/inline)
	testserver.Exec(t, db, "DROP DATABASE bench")
}

func runtimeCPUs() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return max(1, strings.Count(string(b), "processor\t:"))
}

func timeIt(f func()) time.Duration {
	t0 := time.Now()
	f()
	return time.Since(t0)
}

// benchBinary is $REHEARSE_BIN or a fresh build of cmd/rehearse.
func benchBinary(t *testing.T) string {
	if b := os.Getenv("REHEARSE_BIN"); b != "" {
		if abs, err := filepath.Abs(b); err == nil {
			return abs
		}
	}
	out := filepath.Join(t.TempDir(), "rehearse")
	if b, err := exec.Command("go", "build", "-o", out, "../../cmd/rehearse").CombinedOutput(); err != nil {
		t.Fatalf("build rehearse: %v\n%s", err, b)
	}
	return out
}

// runCLI runs `rehearse generate ARGS` and returns its wall time and peak RSS.
// benchSource makes a snapshot captured from the bench's own sandbox name
// another source (investmentsSnapshot's): the sandbox is then not the
// snapshot's production for the CLI's production guard.
func benchSource(snap *snapshot.Snapshot) {
	snap.Source.ServerUUID, snap.Source.Identity = "bench-source", nil
}

func runCLI(t *testing.T, bin string, args ...string) (time.Duration, int64) {
	t.Helper()
	el, rss := runCLIErr(bin, args...)
	if rss < 0 {
		t.Fatalf("rehearse generate %v failed", args)
	}
	return el, rss
}

func runCLIErr(bin string, args ...string) (time.Duration, int64) {
	cmd := exec.Command(bin, append([]string{"generate"}, args...)...)
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	out, err := cmd.Output()
	el := time.Since(t0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rehearse generate: %v\n%s", err, out)
		return el, -1
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return el, ru.Maxrss * 1024
}

// writeCeilingFile writes rows [from, to) generate would load, as a file
// the ceiling loads.
func writeCeilingFile(t *testing.T, snap *snapshot.Snapshot, path string, from, to uint64) {
	t.Helper()
	p := planFor(t, snap, Options{})[0]
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, readerFor(p, from, to)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// loadCeiling loads files into p's table, one stream each at once, on
// sessions set as generate sets its own (sessionSQL); with rebuild the
// plain secondary indexes are dropped first and added back after, with
// generate's own statements (dropSecondary, restore).
func loadCeiling(t *testing.T, db *sql.DB, p *tablePlan, rebuild bool, files []string) {
	t.Helper()
	ctx := context.Background()
	conns := make([]*sql.Conn, len(files))
	for i := range files {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer discard(c)
		// Two streams into one table with an AUTO_INCREMENT column wait
		// for each other's table-level AUTO-INC lock (autoinc_lock_mode=1):
		// on a loaded machine longer than the default 50 s lock wait.
		for _, q := range append(sessionSQL(p), "SET SESSION innodb_lock_wait_timeout=86400") {
			if _, err := c.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		conns[i] = c
	}
	var dropped *droppedIndexes
	if rebuild {
		var err error
		if dropped, err = dropSecondary(ctx, conns[0], p); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan error, len(files))
	for i, path := range files {
		go func() {
			mysql.RegisterLocalFile(path)
			defer mysql.DeregisterLocalFile(path)
			q := fmt.Sprintf("LOAD DATA LOCAL INFILE '%s' INTO TABLE %s.%s CHARACTER SET binary", path, mysqlkit.Quote(p.db), mysqlkit.Quote(p.name))
			_, err := conns[i].ExecContext(ctx, q)
			errs <- err
		}()
	}
	for range files {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := dropped.restore(ctx, db); err != nil {
		t.Fatal(err)
	}
}

// naiveInserts loads n rows one autocommit INSERT at a time.
func naiveInserts(t *testing.T, db *sql.DB, snap *snapshot.Snapshot, n uint64) time.Duration {
	t.Helper()
	p := planFor(t, snap, Options{})[0]
	p.db = "naive"
	r := readerFor(p, 0, n)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer discard(conn)
	var cols []string
	for _, lc := range r.cols {
		cols = append(cols, mysqlkit.Quote(p.cols[lc.idx].col.Name))
	}
	head := "INSERT INTO naive.investments (" + strings.Join(cols, ",") + ") VALUES "
	conn.ExecContext(ctx, "SET SESSION time_zone='+00:00'")
	t0 := time.Now()
	var buf []byte
	for i := uint64(0); i < n; i++ {
		buf = r.appendInsertRow(append(buf[:0], head...), i)
		if _, err := conn.ExecContext(ctx, string(buf)); err != nil {
			t.Fatal(err)
		}
	}
	return time.Since(t0)
}
