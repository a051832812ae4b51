package load_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"strings"
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
	probe := loadtest.StartProbe(t)
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Two seconds of schedule: 20 closed intervals of 100 ms.
	testserver.WaitFor(t, 30*time.Second, "20 intervals of load", func() bool { return len(g.Intervals()) >= 20 })
	stopping := time.Now()
	res := g.Stop()
	elapsed := res.Stopped.Sub(res.Started).Seconds()
	total := res.Writes.Ops + res.Reads.Ops
	// Every operation due before Stop closed the schedule is in the totals
	// (done, cancelled by the drain, or never started: Behind). The
	// schedule (one lane: operation i due at i/rate) makes that count
	// exact; the close happened between stopping and Stopped.
	lo, hi := math.Floor(rate*stopping.Sub(res.Started).Seconds()), math.Ceil(rate*elapsed)+1
	if float64(total) < lo || float64(total) > hi {
		t.Errorf("%d ops in the totals; the schedule had %.0f to %.0f due by the close", total, lo, hi)
	}
	if e := res.Writes.Classes.Errors() + res.Reads.Classes.Errors(); e > 0 {
		t.Errorf("errors: writes %v reads %v", res.Writes.Classes.Map(), res.Reads.Classes.Map())
	}
	// Held means issued on schedule: the operations left due but never
	// started at Stop are a sliver of the run, or no more than were due
	// while the test process was measurably starved of CPU.
	late := probe.Worst()
	if allowed := max(total/20, int64(rate*late.Seconds())+1); res.Behind > allowed {
		t.Errorf("fell behind: %d of %d operations due were never started (allowed %d; test process late by up to %v)", res.Behind, total, allowed, late)
	}
	if n, want := len(res.Intervals), int(res.Stopped.Sub(res.Started)/(100*time.Millisecond)); n != want {
		t.Errorf("%d intervals of 100ms in %.3fs, want %d", n, elapsed, want)
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
	// A baseline before the lock: writes completed at the normal pace.
	testserver.WaitFor(t, 30*time.Second, "50 writes before the lock", func() bool {
		w, err := g.Window(g.Started(), time.Now())
		return err == nil && w.Writes.Ops >= 50
	})
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
	// The backlog has drained once a write scheduled after the unlock has
	// completed: the lane takes due operations in order.
	testserver.WaitFor(t, 30*time.Second, "a write scheduled after the unlock", func() bool {
		w, err := g.Window(unlocked, unlocked.Add(time.Hour))
		return err == nil && w.Writes.Ops > 0
	})
	res := g.Stop()

	w := res.Window(locked, unlocked)
	hold := unlocked.Sub(locked)
	late := probe.Lateness(unlocked, res.Stopped)
	// The longest stall is the first write scheduled under the lock: it
	// waited the whole hold, then ran once the lock was released — as long
	// as a slow write before the lock (the baseline's p99, this machine's
	// measured noise), give or take the tolerance and the test process's
	// measured lateness.
	base := res.Window(res.Started, locked)
	if d := w.LongestStall.Latency - hold; d < -tol || d > tol+late+base.Writes.P99 {
		t.Errorf("longest stall %v, lock held %v (baseline p99 %v; test process late by up to %v)", w.LongestStall.Latency, hold, base.Writes.P99, late)
	}
	// Every op scheduled while locked completed after the unlock, and its
	// latency runs from its scheduled start (not from when a connection
	// freed up): no end before the unlock, none after Stop returned.
	var n int
	var drained time.Duration
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
		if end.After(res.Stopped) {
			t.Errorf("op scheduled at +%v ended %v after Stop returned: latency inflated", s.Sub(locked), end.Sub(res.Stopped))
		}
		drained = max(drained, end.Sub(unlocked))
	}
	// The schedule does not pause: one lane, operation i due at i/rate, so
	// the count in [locked+10ms, unlocked) is exact to one at each end.
	if want := rate * (hold - 10*time.Millisecond).Seconds(); math.Abs(float64(n)-want) > 2 {
		t.Errorf("%d ops scheduled during the lock, the schedule has %.1f (it must not pause)", n, want)
	}
	t.Logf("lock %v (server): longest stall %v, %d writes scheduled meanwhile, drained %v after the unlock, window p50 %v p99 %v (baseline p50 %v p99 %v); test process late by up to %v",
		hold, w.LongestStall.Latency, n, drained, w.Writes.P50, w.Writes.P99, base.Writes.P50, base.Writes.P99, probe.Worst())
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

// TestErrorSample: the report quotes the server's words for a template's
// errors in a window: none before a column the inserts name is dropped,
// the server's 1054 naming it after.
func TestErrorSample(t *testing.T) {
	db, tb := setup(t, 200)
	p, err := load.DefaultProfile([]load.TableLoad{{Schema: "d", Table: tb}}, load.Mix{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := load.New(db, p, load.Options{Rate: 200, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	testserver.WaitFor(t, 30*time.Second, "a second of load", func() bool { return len(g.Intervals()) >= 10 })
	dropped := time.Now()
	loadtest.MustExec(t, db, "ALTER TABLE d.t DROP COLUMN note")
	testserver.WaitFor(t, 30*time.Second, "a second of load after the drop", func() bool { return len(g.Intervals()) >= 20 })
	res := g.Stop()
	ins := -1
	for i, tp := range res.Templates {
		if tp.Kind == load.Insert {
			ins = i
		}
	}
	if n := res.Window(res.Started, dropped).Templates; len(n) == 0 {
		t.Fatal("no template ran before the drop")
	}
	if code, msg, ok := res.ErrorSample(ins, load.SchemaMismatch, res.Started, dropped); ok {
		t.Errorf("an error sample before the drop: %d %s", code, msg)
	}
	code, msg, ok := res.ErrorSample(ins, load.SchemaMismatch, dropped, res.Stopped)
	if !ok || code != 1054 || !strings.Contains(msg, "note") {
		t.Errorf("after the drop: %v %d %q, want the server's 1054 naming note", ok, code, msg)
	}
	if _, _, ok := res.ErrorSample(ins, load.Deadlock, res.Started, res.Stopped); ok {
		t.Errorf("a deadlock sample where there was none")
	}
}
