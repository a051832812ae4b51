package load_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/load/loadtest"
	"github.com/rehearse/rehearse/snapshot"
)

// server is the MariaDB the package's tests share (one start instead of
// one per test); each test starts from a fresh database d.
var server = &loadtest.Shared{Target: testserver.LocalMariaDB()}

func TestMain(m *testing.M) {
	code := m.Run()
	if err := server.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stop the shared server:", err)
		code = 1
	}
	os.Exit(code)
}

// setup gives the test table d.t (auto-increment key, a decimal, a unique
// string, an enum, a foreign key to d.p) holding rows rows, in a fresh
// database d of the shared server.
func setup(t testing.TB, rows int) (*sql.DB, *snapshot.Table) {
	t.Helper()
	s := server.Server(t)
	loadtest.CheckGoroutines(t)
	db, err := s.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loadtest.MustExec(t, db,
		"DROP DATABASE IF EXISTS d",
		"CREATE DATABASE d",
		"CREATE TABLE d.p (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL)",
		"INSERT INTO d.p VALUES (1,'a'),(2,'b'),(3,'c')",
		`CREATE TABLE d.t (
			id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
			p_id INT NOT NULL,
			amount DECIMAL(14,2) NOT NULL,
			code VARCHAR(40) NOT NULL,
			state ENUM('new','paid','void') NOT NULL DEFAULT 'new',
			note TEXT NULL,
			created DATETIME NOT NULL,
			amount2 DECIMAL(15,2) AS (amount * 2) VIRTUAL,
			UNIQUE KEY (code),
			KEY (created),
			FOREIGN KEY (p_id) REFERENCES d.p (id)
		)`)
	if rows > 0 {
		loadtest.FillRows(t, db, "d", "t", "p_id, amount, code, created", "1 + n % 3, n / 7, CONCAT('c', n), '2020-01-01' + INTERVAL n MINUTE", rows)
	}
	return db, loadtest.TableFromServer(t, db, "d", "t")
}

func TestDefaultProfileShapes(t *testing.T) {
	db, tb := setup(t, 0)
	_ = db
	p, err := load.DefaultProfile([]load.TableLoad{{Schema: "d", Table: tb}}, load.Mix{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"insert": "INSERT INTO `d`.`t` (`p_id`, `amount`, `code`, `state`, `note`, `created`) VALUES (?, ?, ?, ?, ?, ?)",
		"update": "UPDATE `d`.`t` SET `amount` = ? WHERE `id` = ?",
		"delete": "DELETE FROM `d`.`t` WHERE `id` = ?",
		"read":   "SELECT `id`, `p_id`, `amount`, `code`, `state`, `note`, `created`, `amount2` FROM `d`.`t` WHERE `id` = ?",
	}
	if len(p.Templates) != 4 {
		t.Fatalf("want 4 templates, got %d", len(p.Templates))
	}
	for _, tp := range p.Templates {
		if w := want[tp.Kind.String()]; tp.SQL != w {
			t.Errorf("%s:\n got %s\nwant %s", tp.Kind, tp.SQL, w)
		}
	}
}

func TestGeneratorHoldsRateAndRecordsEverything(t *testing.T) {
	db, tb := setup(t, 2000)
	p, err := load.DefaultProfile([]load.TableLoad{{Schema: "d", Table: tb}}, load.Mix{})
	if err != nil {
		t.Fatal(err)
	}
	const rate = 400.0
	g, err := load.New(db, p, load.Options{Rate: rate, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	res := g.Stop()
	elapsed := res.Stopped.Sub(res.Started).Seconds()
	total := res.Writes.Ops + res.Reads.Ops
	if want := rate * elapsed; math.Abs(float64(total)-want) > 0.1*want {
		t.Errorf("ran %d ops in %.2fs, want about %.0f", total, elapsed, want)
	}
	if e := res.Writes.Classes.Errors() + res.Reads.Classes.Errors(); e > 0 {
		t.Errorf("errors: writes %v reads %v", res.Writes.Classes.Map(), res.Reads.Classes.Map())
	}
	// Held means issued on schedule: the operations left due but never
	// started at Stop (counted above as canceled) are a sliver of the run.
	if res.Behind > total/20 {
		t.Errorf("fell behind: %d of %d operations due were never started", res.Behind, total)
	}
	if n := len(res.Intervals); n < 18 || n > 21 {
		t.Errorf("%d intervals of 100ms in %.2fs", n, elapsed)
	}
	var logged int64
	for range res.Ops() {
		logged++
	}
	if logged != total {
		t.Errorf("op log has %d ops, totals say %d", logged, total)
	}
	// Plausible latencies: positive, ordered, and the longest no longer
	// than the run (the machine may be loaded: no tighter bound holds).
	if w := res.Writes; w.P50 <= 0 || w.P50 > w.P99 || w.P99 > w.Max || w.Max > res.Stopped.Sub(res.Started) {
		t.Errorf("implausible write latencies: p50 %v p99 %v max %v in a %v run", w.P50, w.P99, w.Max, res.Stopped.Sub(res.Started))
	}
	var got int64
	if err := db.QueryRow("SELECT COUNT(*) FROM d.t WHERE code NOT LIKE 'c%'").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got == 0 {
		t.Error("no generated row landed in the table")
	}
	t.Logf("%.0f ops/s target: %d ops in %.2fs (%d behind schedule), writes p50 %v p99 %v max %v, %d rows inserted",
		rate, total, elapsed, res.Behind, res.Writes.P50, res.Writes.P99, res.Writes.Max, got)
}

// A lock held for 1 s: every write scheduled meanwhile counts its wait from
// its scheduled start, even once every connection of the lane is stuck.
// The lock's times are the server's (one round trip locks, sleeps 1 s and
// unlocks), so a starved test process does not blur them; the probe says
// how late the test's own clock readings may be.
func TestNoCoordinatedOmission(t *testing.T) {
	db, tb := setup(t, 1000)
	p, err := load.DefaultProfile([]load.TableLoad{{Schema: "d", Table: tb}}, load.Mix{Insert: 1, Update: 1})
	if err != nil {
		t.Fatal(err)
	}
	const rate = 300.0
	const tol = 50 * time.Millisecond
	g, err := load.New(db, p, load.Options{Rate: rate, ConnsPerTable: 4})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	probe := loadtest.StartProbe(t)
	if err := g.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer g.Stop()
	time.Sleep(300 * time.Millisecond)
	conn, err := loadtest.OpenMulti(t, server.Server(t), "d").Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `LOCK TABLES d.t WRITE; SET @l = UNIX_TIMESTAMP(SYSDATE(6));
		DO SLEEP(1); SET @u = UNIX_TIMESTAMP(SYSDATE(6)); UNLOCK TABLES`); err != nil {
		t.Fatal(err)
	}
	var l, u float64
	if err := conn.QueryRowContext(ctx, "SELECT @l, @u").Scan(&l, &u); err != nil {
		t.Fatal(err)
	}
	locked, unlocked := loadtest.UnixTime(l), loadtest.UnixTime(u) // the server shares this host's clock
	time.Sleep(500 * time.Millisecond)
	res := g.Stop()

	w := res.Window(locked, unlocked)
	hold := unlocked.Sub(locked)
	late := probe.Lateness(unlocked, unlocked.Add(500*time.Millisecond))
	if d := w.LongestStall.Latency - hold; d < -tol || d > tol+late {
		t.Errorf("longest stall %v, lock held %v (test process late by up to %v)", w.LongestStall.Latency, hold, late)
	}
	// Every op scheduled while locked completed after the unlock, and its
	// latency runs from its scheduled start (not from when a connection
	// freed up): end ≈ unlock for all of them.
	var n int
	for op := range res.Ops() {
		s := res.Started.Add(op.Start)
		if s.Before(locked.Add(10*time.Millisecond)) || !s.Before(unlocked) {
			continue
		}
		n++
		end := res.Started.Add(op.End())
		if end.Before(unlocked.Add(-time.Millisecond)) {
			t.Errorf("op scheduled at +%v ended before the unlock", s.Sub(locked))
		}
		if lag := end.Sub(unlocked); lag > 300*time.Millisecond+late {
			t.Errorf("op scheduled at +%v ended %v after the unlock (test process late by up to %v)", s.Sub(locked), lag, late)
		}
	}
	if want := rate * hold.Seconds(); math.Abs(float64(n)-want) > 0.1*want {
		t.Errorf("%d ops scheduled during the lock, want about %.0f (the schedule must not pause)", n, want)
	}
	t.Logf("lock %v (server): longest stall %v, %d writes scheduled meanwhile, window p50 %v p99 %v; test process late by up to %v",
		hold, w.LongestStall.Latency, n, w.Writes.P50, w.Writes.P99, probe.Worst())
}

func TestClassifyRealErrors(t *testing.T) {
	db, _ := setup(t, 0)
	cases := map[string]load.Class{
		"SELECT nope FROM d.t": load.SchemaMismatch,
		"SELECT 1 FROM d.nope": load.SchemaMismatch,
		"INSERT INTO d.t (p_id, amount, code, created) VALUES (9, 1, 'x', NOW())": load.Other, // 1452
		"SELEC 1": load.Other,
	}
	for q, want := range cases {
		_, err := db.Exec(q)
		if got := load.Classify(err); got != want {
			t.Errorf("%s: %v classified %v, want %v", q, err, got, want)
		}
	}
	if load.Classify(nil) != load.OK || load.Classify(context.Canceled) != load.Canceled {
		t.Error("nil / context.Canceled misclassified")
	}
}
