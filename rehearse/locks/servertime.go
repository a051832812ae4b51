package locks

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Wait boundaries come from the server's clock where it has one, so that a
// monitor starved of CPU (long gaps between samples, slow round trips)
// still places them where they were: a wait starts when the waiting
// statement started (its lock request follows within a millisecond; a
// statement that worked before asking for its lock is caught by the clamp
// to the previous sample), and it ends when that statement ended (a
// statement that goes on after its lock is granted, like a copying ALTER,
// keeps the sampling midpoint). Server times are moved onto the monitor's
// clock with the offset measured at Start.

// clock maps the server's wall clock onto the monitor's: local = server −
// offset. The offset is measured at Start over a few round trips, keeping
// the one with the shortest round trip (as NTP does); on the same host it
// is a few microseconds.
type clock struct{ offset time.Duration }

func measureClock(ctx context.Context, c *sql.Conn) (*clock, error) {
	best := time.Duration(-1)
	var off time.Duration
	for i := 0; i < 5; i++ {
		var s float64
		t0 := time.Now()
		if err := c.QueryRowContext(ctx, "SELECT UNIX_TIMESTAMP(SYSDATE(6))").Scan(&s); err != nil {
			return nil, err
		}
		t1 := time.Now()
		if rtt := t1.Sub(t0); best < 0 || rtt < best {
			best = rtt
			off = unixTime(s).Sub(t0.Add(rtt / 2))
		}
	}
	return &clock{offset: off}, nil
}

// local converts the server's Unix time in seconds to the monitor's clock.
func (k *clock) local(serverUnix float64) time.Time { return unixTime(serverUnix).Add(-k.offset) }

func unixTime(s float64) time.Time {
	sec := int64(s)
	return time.Unix(sec, int64((s-float64(sec))*1e9))
}

// timingMode is how the server tells when a session's statement started
// and ended.
type timingMode int

const (
	noTiming timingMode = iota
	// statementEvents: performance_schema.events_statements_current (and
	// _history when enabled): start, end and event id of every session's
	// statements (MySQL's default; MariaDB when the consumers are on).
	statementEvents
	// processlistTimeMS: MariaDB's PROCESSLIST.TIME_MS, the time since the
	// session's command started, or since its last command ended when it
	// sleeps; QUERY_ID identifies the command.
	processlistTimeMS
)

// stmtTiming reads statement times for the sources.
type stmtTiming struct {
	mode       timingMode
	selfThread int64 // the monitor's own performance_schema thread id
	clock      *clock
}

// pickTiming chooses the best statement clock the server offers.
func pickTiming(ctx context.Context, c *sql.Conn, flavor string) (*stmtTiming, error) {
	k, err := measureClock(ctx, c)
	if err != nil {
		return nil, err
	}
	st := &stmtTiming{clock: k}
	var enabled string
	var self int64
	err = c.QueryRowContext(ctx, `SELECT (SELECT ENABLED FROM performance_schema.setup_consumers WHERE NAME = 'events_statements_current'),
		(SELECT THREAD_ID FROM performance_schema.threads WHERE PROCESSLIST_ID = CONNECTION_ID())`).Scan(&enabled, &self)
	switch {
	case err == nil && strings.EqualFold(enabled, "YES"):
		st.mode, st.selfThread = statementEvents, self
	case flavor == "mariadb":
		st.mode = processlistTimeMS
	}
	return st, nil
}

// elapsedCols is, for a source whose own query already reads
// information_schema.PROCESSLIST, the select-list fragment giving, for the session whose
// performance_schema thread id is threadExpr and processlist id connExpr,
// how long its statement has run (ns, NULL when unknown), that
// statement's event id (NULL when unknown) and the server's clock.
func (st *stmtTiming) elapsedCols(threadExpr, connExpr string) string {
	now := "UNIX_TIMESTAMP(SYSDATE(6))"
	switch st.mode {
	case statementEvents:
		return fmt.Sprintf(`(SELECT s.TIMER_WAIT / 1000 FROM performance_schema.events_statements_current s WHERE s.THREAD_ID = %[1]s AND s.END_EVENT_ID IS NULL AND s.NESTING_EVENT_ID IS NULL LIMIT 1),
  (SELECT s.EVENT_ID FROM performance_schema.events_statements_current s WHERE s.THREAD_ID = %[1]s AND s.END_EVENT_ID IS NULL AND s.NESTING_EVENT_ID IS NULL LIMIT 1), %[2]s`, threadExpr, now)
	case processlistTimeMS:
		return fmt.Sprintf(`(SELECT p.TIME_MS * 1000000 FROM information_schema.PROCESSLIST p WHERE p.ID = %s AND p.COMMAND <> 'Sleep'), NULL, %s`, connExpr, now)
	}
	return "NULL, NULL, NULL"
}

// since turns the scanned elapsedCols into the statement's start on the
// monitor's clock (zero when unknown) and its event id.
func (st *stmtTiming) since(elapsedNS sql.NullFloat64, event sql.NullInt64, now sql.NullFloat64) (time.Time, int64) {
	if !elapsedNS.Valid || !now.Valid || elapsedNS.Float64 < 0 {
		return time.Time{}, 0
	}
	return st.clock.local(now.Float64).Add(-time.Duration(elapsedNS.Float64)), event.Int64
}

// stmtStart is when a session's running statement started (monitor's
// clock; zero when unknown) and its event id (0 when unknown).
type stmtStart struct {
	since time.Time
	event int64
}

// starts asks the server when the running statements of sessions conns
// started.
func (st *stmtTiming) starts(ctx context.Context, c *sql.Conn, conns []int64) (map[int64]stmtStart, error) {
	var q string
	switch st.mode {
	case statementEvents:
		q = `SELECT t.PROCESSLIST_ID, s.TIMER_WAIT / 1000, s.EVENT_ID, UNIX_TIMESTAMP(SYSDATE(6))
FROM performance_schema.threads t JOIN performance_schema.events_statements_current s
  ON s.THREAD_ID = t.THREAD_ID AND s.END_EVENT_ID IS NULL AND s.NESTING_EVENT_ID IS NULL
WHERE t.PROCESSLIST_ID IN (` + idList(conns) + `)`
	case processlistTimeMS:
		q = `SELECT ID, TIME_MS * 1000000, QUERY_ID, UNIX_TIMESTAMP(SYSDATE(6)) FROM information_schema.PROCESSLIST
WHERE COMMAND <> 'Sleep' AND ID IN (` + idList(conns) + `)`
	default:
		return nil, nil
	}
	rows, err := c.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]stmtStart{}
	for rows.Next() {
		var id int64
		var elapsed, now sql.NullFloat64
		var event sql.NullInt64
		if err := rows.Scan(&id, &elapsed, &event, &now); err != nil {
			return nil, err
		}
		since, ev := st.since(elapsed, event, now)
		out[id] = stmtStart{since, ev}
	}
	return out, rows.Err()
}

func idList(conns []int64) string {
	ids := make([]string, len(conns))
	for i, c := range conns {
		ids[i] = fmt.Sprint(c)
	}
	return strings.Join(ids, ",")
}

// endReq asks when the statement a wait belonged to ended.
type endReq struct {
	conn    int64
	since   time.Time // the statement's start (monitor's clock)
	event   int64     // its statement event id, 0 when unknown
	blocker int64     // the session that blocked it most, 0 when unknown
}

// endAns answers an endReq: at is exact, or only an upper bound (a later
// statement of the session started then, so the waiting one had ended).
type endAns struct {
	at    time.Time
	exact bool
}

// endInfo is what the server says about waits that ended: each waiter's
// own statement (own), and when their blockers' statements ended
// (released, oldest first) — a lock is released when the statement holding
// it (an ALTER, a COMMIT) ends, and its waiters are granted at once, so a
// blocker's statement end within a wait's bracket is that wait's end even
// when the waiter went on to run many statements since.
type endInfo struct {
	own      map[int64]endAns
	released map[int64][]time.Time
}

// sameStatement is how close two reads of one statement's start are.
const sameStatement = 2 * time.Millisecond

// ends asks the server when the statements of reqs and of their blockers
// ended. Sessions still running the same statement (the lock was granted
// and it works on) and sessions that are gone get no answer.
func (st *stmtTiming) ends(ctx context.Context, c *sql.Conn, reqs []endReq) (endInfo, error) {
	info := endInfo{own: map[int64]endAns{}, released: map[int64][]time.Time{}}
	if st.mode == noTiming || len(reqs) == 0 {
		return info, nil
	}
	byConn := make(map[int64]endReq, len(reqs))
	var conns []int64
	for _, r := range reqs {
		byConn[r.conn] = r
		conns = append(conns, r.conn)
	}
	for _, r := range reqs {
		if _, dup := byConn[r.blocker]; r.blocker != 0 && !dup {
			byConn[r.blocker] = endReq{conn: r.blocker}
			conns = append(conns, r.blocker)
		}
	}
	waiter := func(id int64) bool { return !byConn[id].since.IsZero() }
	if st.mode == processlistTimeMS {
		// QUERY_ID tells whether the session's current (or, asleep, last)
		// command is still the one that waited.
		rows, err := c.QueryContext(ctx, `SELECT ID, COMMAND, TIME_MS, QUERY_ID, UNIX_TIMESTAMP(SYSDATE(6)) FROM information_schema.PROCESSLIST WHERE ID IN (`+idList(conns)+`)`)
		if err != nil {
			return info, err
		}
		defer rows.Close()
		for rows.Next() {
			var id, query int64
			var cmd string
			var ms, now float64
			if err := rows.Scan(&id, &cmd, &ms, &query, &now); err != nil {
				return info, err
			}
			at := st.clock.local(now).Add(-time.Duration(ms * float64(time.Millisecond)))
			sleeping := cmd == "Sleep" // TIME_MS counts from the end of its last command
			if sleeping {
				info.released[id] = []time.Time{at}
			}
			r := byConn[id]
			same := query == r.event
			if r.event == 0 { // no query id: compare starts
				d := at.Sub(r.since)
				same = !sleeping && d > -sameStatement && d < sameStatement
			}
			switch {
			case !waiter(id):
			case sleeping && same:
				info.own[id] = endAns{at: at, exact: true}
			case !same: // it ended before this later command started (or ended)
				info.own[id] = endAns{at: at}
			}
		}
		return info, rows.Err()
	}
	// statementEvents: the sessions' statements still in current or
	// history, timed against the monitor's own running statement.
	q := `SELECT t.PROCESSLIST_ID, s.EVENT_ID, s.END_EVENT_ID IS NOT NULL,
  (CAST(me.TIMER_START AS SIGNED) - CAST(s.TIMER_START AS SIGNED)) / 1000,
  (CAST(me.TIMER_START AS SIGNED) - CAST(IFNULL(s.TIMER_END, me.TIMER_START) AS SIGNED)) / 1000, UNIX_TIMESTAMP(SYSDATE(6))
FROM performance_schema.threads t
JOIN (SELECT THREAD_ID, EVENT_ID, END_EVENT_ID, TIMER_START, TIMER_END FROM performance_schema.events_statements_current WHERE NESTING_EVENT_ID IS NULL
  UNION ALL SELECT THREAD_ID, EVENT_ID, END_EVENT_ID, TIMER_START, TIMER_END FROM performance_schema.events_statements_history WHERE NESTING_EVENT_ID IS NULL) s ON s.THREAD_ID = t.THREAD_ID
JOIN performance_schema.events_statements_current me ON me.THREAD_ID = ?
WHERE t.PROCESSLIST_ID IN (` + idList(conns) + `) ORDER BY s.EVENT_ID`
	rows, err := c.QueryContext(ctx, q, st.selfThread)
	if err != nil {
		return info, err
	}
	defer rows.Close()
	settled := map[int64]bool{}
	for rows.Next() {
		var id, event int64
		var ended bool
		var startAgo, endAgo, now float64
		if err := rows.Scan(&id, &event, &ended, &startAgo, &endAgo, &now); err != nil {
			return info, err
		}
		local := st.clock.local(now)
		end := local.Add(-time.Duration(endAgo))
		if ended {
			info.released[id] = append(info.released[id], end)
		}
		r := byConn[id]
		if !waiter(id) || settled[id] {
			continue
		}
		start := local.Add(-time.Duration(startAgo))
		same := event == r.event
		if r.event == 0 {
			d := start.Sub(r.since)
			same = d > -sameStatement && d < sameStatement
		}
		switch {
		case same && ended:
			info.own[id], settled[id] = endAns{at: end, exact: true}, true
		case same:
			settled[id] = true // still running: no answer
		case (r.event != 0 && event > r.event) || (r.event == 0 && start.Sub(r.since) > sameStatement):
			info.own[id], settled[id] = endAns{at: start}, true // the first later statement still on record
		}
	}
	return info, rows.Err()
}
