package locks_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/rehearse/rehearse/rehearse/load/loadtest"
)

// The ground truth of the accuracy tests is the server's own timing of
// every metadata-lock wait: performance_schema's wait/lock/metadata/sql/mdl
// events (TIMER_WAIT in picoseconds, taken inside the server around the
// wait). The test process's clock is not the truth: on a loaded machine the
// test is starved, and its "3 s" drifts from the server's by 100 ms and
// more. The monitor never reads these event tables; the tests only switch
// their consumers on.

// enableTruth switches on the wait-event consumers the truth is read from
// and leaves only the metadata-lock wait instrument on, so that
// events_waits_history_long (10,000 events) holds every lock wait of a
// scenario.
func enableTruth(t testing.TB, db *sql.DB) {
	t.Helper()
	loadtest.MustExec(t, db,
		"UPDATE performance_schema.setup_instruments SET ENABLED = 'NO' WHERE NAME LIKE 'wait/%' AND NAME <> 'wait/lock/metadata/sql/mdl'",
		"UPDATE performance_schema.setup_instruments SET ENABLED = 'YES', TIMED = 'YES' WHERE NAME = 'wait/lock/metadata/sql/mdl'",
		"UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME IN ('events_waits_current', 'events_waits_history_long')")
}

// serverWaits are the metadata-lock waits the server timed, per
// processlist id, for the sessions whose current database is schema.
type serverWaits map[int64][]time.Duration

// readTruth reads the finished metadata-lock waits longer than 1 ms of the
// live sessions using schema (read it before closing them).
func readTruth(t testing.TB, db *sql.DB, schema string) serverWaits {
	t.Helper()
	rows, err := db.Query(`SELECT t.PROCESSLIST_ID, w.TIMER_WAIT FROM performance_schema.events_waits_history_long w
		JOIN performance_schema.threads t ON t.THREAD_ID = w.THREAD_ID
		WHERE w.EVENT_NAME = 'wait/lock/metadata/sql/mdl' AND t.PROCESSLIST_DB = ? AND w.TIMER_WAIT > 1000000000`, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sw := serverWaits{}
	for rows.Next() {
		var id int64
		var ps uint64
		if err := rows.Scan(&id, &ps); err != nil {
			t.Fatal(err)
		}
		sw[id] = append(sw[id], time.Duration(ps/1000))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return sw
}

// total is the time session id waited for metadata locks.
func (sw serverWaits) total(id int64) time.Duration {
	var s time.Duration
	for _, d := range sw[id] {
		s += d
	}
	return s
}

// longestExcept is the longest single wait of any session but those in
// except (the writers' longest stall), with the number of sessions that
// waited.
func (sw serverWaits) longestExcept(except ...int64) (time.Duration, int) {
	var longest time.Duration
	n := 0
outer:
	for id, ws := range sw {
		for _, e := range except {
			if id == e {
				continue outer
			}
		}
		n++
		for _, d := range ws {
			longest = max(longest, d)
		}
	}
	return longest, n
}

// holdFor ends the long transaction on c once the metadata-lock wait of
// session waiter has lasted d by the server's clock: one round trip that
// sleeps on the server for what is left of d, then commits, so the hold
// does not depend on when the test process gets the CPU. It returns when
// the commit is done (the test's clock). c's pool must allow
// multi-statements.
func holdFor(t testing.TB, ctx context.Context, c *sql.Conn, waiter int64, d time.Duration) time.Time {
	t.Helper()
	const waited = `(SELECT w.TIMER_WAIT / 1e12 FROM performance_schema.events_waits_current w
		JOIN performance_schema.threads t ON t.THREAD_ID = w.THREAD_ID
		WHERE t.PROCESSLIST_ID = %d AND w.EVENT_NAME = 'wait/lock/metadata/sql/mdl' AND w.END_EVENT_ID IS NULL)`
	deadline := time.Now().Add(10 * time.Second)
	for {
		var s sql.NullFloat64
		if err := c.QueryRowContext(ctx, "SELECT "+fmt.Sprintf(waited, waiter)).Scan(&s); err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		if s.Valid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("session %d never waited for its metadata lock", waiter)
		}
		time.Sleep(2 * time.Millisecond)
	}
	q := fmt.Sprintf("DO SLEEP(GREATEST(0, %.6f - "+waited+")); COMMIT", d.Seconds(), waiter)
	if _, err := c.ExecContext(ctx, q); err != nil {
		t.Fatal(err)
	}
	return time.Now()
}
