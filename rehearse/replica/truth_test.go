package replica_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/replica"
)

// observer is the ground truth the monitor is held to, measured the way
// an operator does by hand on plain servers, with none of the monitor's
// code: a pt-heartbeat-style table of the test's own (truth.hb) updated
// with the primary's NOW(6) every truthInterval, read on the replica as
// NOW(6) - ts (one host, one clock), and SHOW REPLICA STATUS's
// Seconds_Behind_* read beside it.
type observer struct {
	mu      sync.Mutex
	peak    time.Duration // largest NOW(6) - ts read on the replica
	peakAt  time.Time
	sbm     []sql.NullInt64 // Seconds_Behind_* as read
	late    time.Duration   // how late the test's goroutines got the CPU, at most
	stop    context.CancelFunc
	wg      sync.WaitGroup
	errs    []error
	reads   int
	started time.Time
}

const truthInterval = 50 * time.Millisecond

func observe(t *testing.T, p, r *sql.DB, flavor engine.Flavor) *observer {
	t.Helper()
	testserver.Exec(t, p, "CREATE DATABASE IF NOT EXISTS truth",
		"CREATE TABLE IF NOT EXISTS truth.hb (id tinyint PRIMARY KEY, ts datetime(6) NOT NULL)",
		"REPLACE INTO truth.hb VALUES (1, NOW(6))")
	testserver.WaitFor(t, 30*time.Second, "the replica has truth.hb", func() bool {
		var n int
		return r.QueryRow("SELECT COUNT(*) FROM truth.hb").Scan(&n) == nil && n == 1
	})
	status := "SHOW REPLICA STATUS"
	if flavor == engine.MariaDB {
		status = "SHOW SLAVE STATUS"
	}
	ctx, cancel := context.WithCancel(context.Background())
	o := &observer{stop: cancel, started: time.Now()}
	tick := func(fn func() error) {
		defer o.wg.Done()
		last := time.Now()
		for ctx.Err() == nil {
			if err := fn(); err != nil && ctx.Err() == nil {
				o.mu.Lock()
				o.errs = append(o.errs, err)
				o.mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(truthInterval):
			}
			now := time.Now()
			o.mu.Lock()
			if d := now.Sub(last) - truthInterval; d > o.late {
				o.late = d
			}
			o.mu.Unlock()
			last = now
		}
	}
	o.wg.Add(3)
	go tick(func() error { // the primary's heartbeat
		_, err := p.ExecContext(ctx, "UPDATE truth.hb SET ts = NOW(6) WHERE id = 1")
		return err
	})
	go tick(func() error { // the replica's lag by it
		var us int64
		if err := r.QueryRowContext(ctx, "SELECT TIMESTAMPDIFF(MICROSECOND, ts, NOW(6)) FROM truth.hb WHERE id = 1").Scan(&us); err != nil {
			return err
		}
		o.mu.Lock()
		defer o.mu.Unlock()
		o.reads++
		if d := time.Duration(us) * time.Microsecond; d > o.peak {
			o.peak, o.peakAt = d, time.Now()
		}
		return nil
	})
	go tick(func() error { // what the server says
		v, err := behind(ctx, r, status)
		if err != nil {
			return err
		}
		o.mu.Lock()
		o.sbm = append(o.sbm, v)
		o.mu.Unlock()
		return nil
	})
	return o
}

// behind reads Seconds_Behind_Source / Seconds_Behind_Master by column
// name (their place differs by flavor and version).
func behind(ctx context.Context, db *sql.DB, status string) (sql.NullInt64, error) {
	rows, err := db.QueryContext(ctx, status)
	if err != nil {
		return sql.NullInt64{}, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil || !rows.Next() {
		return sql.NullInt64{}, fmt.Errorf("%s: no row (%v)", status, err)
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return sql.NullInt64{}, err
	}
	for i, c := range cols {
		if c == "Seconds_Behind_Source" || c == "Seconds_Behind_Master" {
			var v sql.NullInt64
			if vals[i] != nil {
				fmt.Sscan(string(vals[i]), &v.Int64)
				v.Valid = true
			}
			return v, nil
		}
	}
	return sql.NullInt64{}, fmt.Errorf("%s: no Seconds_Behind_* column", status)
}

func (o *observer) finish(t *testing.T) {
	t.Helper()
	o.stop()
	o.wg.Wait()
	for _, err := range o.errs {
		t.Errorf("ground truth: %v", err)
	}
}

// reset starts a new window of the observer's peak.
func (o *observer) reset() {
	o.mu.Lock()
	o.peak, o.peakAt, o.sbm, o.late = 0, time.Time{}, nil, 0
	o.mu.Unlock()
}

func (o *observer) window() (peak time.Duration, sbmMax int64, sbmNull int, late time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, v := range o.sbm {
		if !v.Valid {
			sbmNull++
		} else if v.Int64 > sbmMax {
			sbmMax = v.Int64
		}
	}
	return o.peak, sbmMax, sbmNull, o.late
}

// TestLagGroundTruth holds the monitor's heartbeat lag to lag observed by
// hand on the same plain servers (a pt-heartbeat-style table of the
// test's own, SHOW REPLICA STATUS), on MariaDB 10.11 and MySQL 9.7, one
// topology each (their start is most of the cost):
//
//   - a statement of known duration: INSERT ... SELECT SLEEP(T), binlogged
//     as a statement, takes T on the primary and again T on the replica's
//     applier after the primary committed it, so what the primary commits
//     meanwhile queues behind it and the replica ends T behind — the
//     issue's "a statement taking T on the primary leaves the replica at
//     least T behind";
//   - a table-copying ALTER under writes: the heartbeat lag peaks at least
//     at the replica's own apply time of it (the server's measure), and
//     agrees with the ground truth; writes queue behind it;
//   - an INSTANT ADD COLUMN: lag under a second;
//   - a backfill (UPDATE of every row) binlogged as rows and as the
//     statement: each replayed as one long event, each lag held to the
//     ground truth (their figures differ as the server's do).
//
// The monitor and the ground truth must agree within their sampling
// intervals plus how late the test's goroutines were (measured).
func TestLagGroundTruth(t *testing.T) {
	const T = 2 * time.Second
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			topo, p, r := pair(t, target)
			testserver.Exec(t, p, "CREATE TABLE app.slow (id int PRIMARY KEY AUTO_INCREMENT, v int)",
				fmt.Sprintf("INSERT INTO app.items (name, qty) SELECT CONCAT('m', seq), seq FROM (%s) s", seqQuery(300000)))
			mon := replica.NewMonitor(topo, replica.MonitorOptions{Log: logWriter{t}})
			if err := mon.Setup(ctx); err != nil {
				t.Fatal(err)
			}
			if err := mon.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer mon.Stop()
			obs := observe(t, p, r, topo.Primary.Server.Flavor)
			defer obs.finish(t)

			type window struct {
				label   string
				took    time.Duration
				truth   time.Duration
				sbm     int64
				sbmNull int
				late    time.Duration
				rest    time.Duration
			}
			var windows []window
			// run runs stmt on its own session (after the set-up
			// statements), marks it, waits for the replica and closes the
			// ground truth's window.
			run := func(label, stmt string, setup ...string) {
				t.Helper()
				// The ground truth's reading of the replica at rest (the
				// load's writes only) in the second before: its noise.
				obs.reset()
				time.Sleep(time.Second)
				rest, _, _, _ := obs.window()
				obs.reset()
				conn, err := p.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				for _, q := range setup {
					if _, err := conn.ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				start := time.Now()
				if _, err := conn.ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
				end := time.Now()
				if _, err := mon.Mark(ctx, label, stmt, start, end, topo.StatementGTID(ctx, conn)); err != nil {
					t.Fatal(err)
				}
				if behind, err := mon.CatchUp(ctx, 5*time.Minute); err != nil || len(behind) > 0 {
					t.Fatalf("catch up: %v %v", behind, err)
				}
				time.Sleep(3 * truthInterval) // the observer reads the caught-up replica
				w := window{label: label, took: end.Sub(start), rest: rest}
				w.truth, w.sbm, w.sbmNull, w.late = obs.window()
				windows = append(windows, w)
			}
			// SLEEP is unsafe for statement-based logging: the server warns
			// and logs the statement anyway, which is what this test needs
			// (the replica sleeps too).
			run("sleep", fmt.Sprintf("INSERT INTO app.slow (v) SELECT SLEEP(%d)", int(T/time.Second)), "SET SESSION binlog_format = 'STATEMENT'")
			stop := writer(t, p)
			run("copy", "ALTER TABLE app.items ADD COLUMN c1 int, ALGORITHM=COPY")
			run("instant", "ALTER TABLE app.items ADD COLUMN c2 int, ALGORITHM=INSTANT")
			// A backfill of every row, binlogged as row images and as the
			// statement: one long event either way, replayed differently
			// (RUN244); each held to the ground truth.
			run("backfill-row", "UPDATE app.items SET qty = qty + 1", "SET SESSION binlog_format = 'ROW'")
			run("backfill-statement", "UPDATE app.items SET qty = qty + 2", "SET SESSION binlog_format = 'STATEMENT'")
			writes := stop()
			obs.finish(t)
			res := mon.Stop()
			if len(res.Errors) > 0 {
				t.Fatalf("monitor errors: %v", res.Errors)
			}
			figs := map[string]replica.Figures{}
			// resolution per statement: the heartbeats' measured spacing
			// around it and how late the test's goroutines were.
			resolution := map[string]time.Duration{}
			for i, w := range windows {
				mk := res.Marks[2*i] // each statement is followed by its catch-up mark
				f := res.Figures(2 * i)[0]
				figs[w.label] = f
				// The heartbeat's real resolution around the statement: the
				// longest time between two acknowledgements on the primary
				// (nominally the interval; more when the primary or this
				// process was slow).
				gap := res.Interval
				for k := 1; k < len(res.Beats); k++ {
					a, b := res.Beats[k-1].Acked, res.Beats[k].Acked
					if !a.IsZero() && !b.IsZero() && b.After(mk.Start.Add(-time.Second)) && a.Before(f.Reached.Add(time.Second)) {
						gap = max(gap, b.Sub(a))
					}
				}
				resolution[w.label] = gap + w.late
				t.Logf("%s: %s on the primary; replica: monitor peak lag %s (every %s), ground truth peak %s (every %s; %s at rest), Seconds_Behind max %d s (%d NULL), applier %s (%s), caught up %s after, queued %v; test goroutines late by up to %s, heartbeats acknowledged %s apart at most",
					w.label, w.took.Round(time.Millisecond), f.PeakLag.Round(time.Millisecond), res.Interval, w.truth.Round(time.Millisecond), truthInterval,
					w.rest.Round(time.Millisecond), w.sbm, w.sbmNull, f.Apply().Round(time.Millisecond), f.ApplySource, f.CaughtUp.Round(time.Millisecond), f.Queued, w.late.Round(time.Millisecond), gap.Round(time.Millisecond))
				if w.sbmNull > 0 {
					t.Errorf("%s: Seconds_Behind_* read NULL %d times: replication broke", w.label, w.sbmNull)
				}
				// Each measure reads up to its resolution off the true peak:
				// the monitor its heartbeats' spacing as measured plus its
				// read interval, the ground truth its own interval; the
				// test's goroutines may have been late by what the observer
				// measured; and the ground truth reads what it read at rest
				// just before (the monitor counts only lag behind the
				// statement: heartbeats sent after it committed).
				slack := gap + res.Interval + truthInterval + w.late + w.rest
				if d := f.PeakLag - w.truth; d > slack || -d > slack {
					t.Errorf("%s: monitor peak lag %s vs ground truth %s: off by %s, more than both measures' resolution, the measured lateness and the ground truth at rest (%s)", w.label, f.PeakLag, w.truth, d, slack)
				}
				if i == 0 {
					// The replay takes T after the primary committed: what
					// the primary wrote meanwhile waits that long.
					if w.took < T {
						t.Fatalf("the statement took %s on the primary, want at least %s: SLEEP did not run", w.took, T)
					}
					if lo, hi := T-res.Interval-w.late, w.took+slack; f.PeakLag < lo || f.PeakLag > hi {
						t.Errorf("sleep: monitor peak lag %s, want %s..%s (T less one interval and the lateness; the primary's time plus both intervals and the lateness)", f.PeakLag, lo, hi)
					}
				}
			}
			t.Logf("%d writes by the load", writes)
			cf, inf := figs["copy"], figs["instant"]
			if cf.ApplySource == "" {
				t.Errorf("the replica's applier time on the COPY was not measured")
			}
			// The replica cannot apply the COPY before the primary
			// committed it, and applying it takes the server-measured
			// apply time: the heartbeat lag peaks at least there (less one
			// heartbeat and one read).
			if want := cf.Apply() - 2*res.Interval; cf.PeakLag < want {
				t.Errorf("COPY: peak lag %s < the replica's own apply time %s less two intervals", cf.PeakLag, cf.Apply())
			}
			if !cf.Queued || !figs["sleep"].Queued {
				t.Errorf("the writes after the COPY (%v) or the sleep (%v) did not queue behind it on the replica", cf.Queued, figs["sleep"].Queued)
			}
			// Under 1 s, read to the heartbeat's measured resolution: on a
			// starved machine (load 11) heartbeats were acknowledged 147 ms
			// apart and an INSTANT change read 1.197 s.
			if limit := time.Second + resolution["instant"]; inf.PeakLag >= limit {
				t.Errorf("INSTANT: peak lag %s, want < 1s (+ %s: the heartbeats' spacing and the test's lateness around it)", inf.PeakLag, resolution["instant"])
			}
		})
	}
}

// pair starts a primary and one asynchronous replica (GTID, the server's
// parallel apply) from a filled datadir and opens both; closed at the end.
func pair(t *testing.T, target testserver.Target) (topo *replica.Topology, p, r *sql.DB) {
	t.Helper()
	topo = provision(t, target, replica.Plan{Replicas: 1, Mode: replica.Async, GTID: true, ParallelWorkers: -1})
	var err error
	if p, err = topo.Primary.Server.Open(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if r, err = topo.Replicas[0].Server.Open(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return topo, p, r
}

// writer inserts into app.log on the primary every 10 ms until stopped:
// the application's writes that replicate behind a DDL.
func writer(t *testing.T, db *sql.DB) (stop func() int) {
	t.Helper()
	testserver.Exec(t, db, "CREATE TABLE IF NOT EXISTS app.log (id bigint PRIMARY KEY AUTO_INCREMENT, at datetime(6) NOT NULL)")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	n := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, err := db.ExecContext(ctx, "INSERT INTO app.log (at) VALUES (NOW(6))"); err == nil {
				n++
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() int { cancel(); wg.Wait(); return n }
}
