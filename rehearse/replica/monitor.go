package replica

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// Heartbeat: the scratch database and table the rehearsal owns on its
// primary (never on a server it did not start); replicated like any table.
const (
	HeartbeatSchema = "rehearse_replication"
	HeartbeatTable  = "heartbeat"
)

// DefaultInterval is how often the heartbeat is written on the primary and
// read on each replica, and the applier threads sampled. A var so tests
// can change it.
var DefaultInterval = 100 * time.Millisecond

// MonitorOptions tune a Monitor.
type MonitorOptions struct {
	Interval time.Duration // 0 = DefaultInterval
	Log      io.Writer
}

// Monitor measures a running topology: heartbeat lag on each replica,
// when each replica has applied each marked statement, and the replicas'
// applier threads. Setup once, Start once, Mark after each statement,
// CatchUp at the end, Stop once.
type Monitor struct {
	t    *Topology
	opts MonitorOptions
	pdb  *sql.DB // the primary: heartbeat, positions

	mu      sync.Mutex
	started time.Time
	beats   []Beat // seq-1 -> beat
	marks   []*Mark
	reps    []*repMon
	errs    []error
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	stopped bool
	result  *Result
}

// Beat is one heartbeat write on the primary: when it was sent and when
// the primary acknowledged it (zero while it has not).
type Beat struct {
	Sent, Acked time.Time
}

// LagSample is one heartbeat read on a replica.
type LagSample struct {
	T   time.Time     // the read was sent
	Seq uint64        // the newest heartbeat the replica had
	Lag time.Duration // T minus the acknowledgement of the oldest heartbeat it lacked (0: none)
}

// Mark is one statement the primary ran, and when each replica had applied
// it.
type Mark struct {
	Label      string
	Text       string
	Start, End time.Time // on the primary
	// GTID is the statement's own transaction (MySQL: the session's last
	// transaction in performance_schema; MariaDB: @@last_gtid); "" when
	// it wrote nothing or the server does not say.
	GTID string
	// Pos is the primary's position read right after the statement.
	Pos Position
	// Reached is, per replica (Topology.Replicas order), when it had
	// applied Pos; zero when it had not before the monitor stopped.
	Reached []time.Time
}

// Span is a replica applier's work on one transaction or statement.
type Span struct {
	Key        string // the GTID (MySQL) or the statement's text (MariaDB)
	Start, End time.Time
	Exact      bool // the server's own timestamps (MySQL), not the samples'
}

// repMon is one replica's samples.
type repMon struct {
	node  *Node
	db    *sql.DB
	lag   []LagSample
	spans map[string]*Span
	// slavePos are MariaDB's @@gtid_slave_pos samples (sample time, value).
	slavePos []posSample
	marks    chan *Mark
}

type posSample struct {
	T   time.Time
	Pos string
}

// NewMonitor prepares a monitor of t.
func NewMonitor(t *Topology, opts MonitorOptions) *Monitor {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	return &Monitor{t: t, opts: opts}
}

// Setup creates the heartbeat table on the primary and waits until every
// replica has it. It runs before the load starts.
func (m *Monitor) Setup(ctx context.Context) error {
	pdb, err := m.t.Primary.Server.Open("")
	if err != nil {
		return err
	}
	pdb.SetMaxOpenConns(4)
	m.pdb = pdb
	for _, q := range []string{
		"CREATE DATABASE IF NOT EXISTS " + HeartbeatSchema,
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s (id TINYINT UNSIGNED NOT NULL PRIMARY KEY, seq BIGINT UNSIGNED NOT NULL, ts DATETIME(6) NOT NULL) ENGINE=InnoDB", HeartbeatSchema, HeartbeatTable),
		fmt.Sprintf("REPLACE INTO %s.%s VALUES (1, 0, NOW(6))", HeartbeatSchema, HeartbeatTable),
	} {
		if _, err := pdb.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("replicas: heartbeat table: %w", err)
		}
	}
	at, err := m.t.d.position(ctx, pdb)
	if err != nil {
		return err
	}
	for _, n := range m.t.Replicas {
		db, err := n.Server.Open("")
		if err != nil {
			return err
		}
		db.SetMaxOpenConns(4)
		rm := &repMon{node: n, db: db, spans: map[string]*Span{}, marks: make(chan *Mark, 4096)}
		m.reps = append(m.reps, rm)
		if _, err := m.t.d.wait(ctx, db, at, 60); err != nil {
			return fmt.Errorf("replicas: %s does not apply the heartbeat table: %w", n.Name, err)
		}
	}
	return nil
}

// wait blocks on db (a replica) until it has applied p or timeoutS passes;
// it returns when it returned and whether p was reached.
func (d dialect) wait(ctx context.Context, db *sql.DB, p Position, timeoutS int) (time.Time, error) {
	q, args := d.waitFor(p, timeoutS)
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, q, args...).Scan(&v); err != nil {
		return time.Time{}, err
	}
	at := time.Now()
	if !d.waitReached(v) {
		return at, fmt.Errorf("not applied within %d s (%s)", timeoutS, q)
	}
	return at, nil
}

// Start starts the heartbeat writer and each replica's reader and waiter.
func (m *Monitor) Start(ctx context.Context) error {
	if m.pdb == nil {
		return errors.New("replicas: monitor not set up")
	}
	rctx, cancel := context.WithCancel(ctx)
	hb, err := m.pdb.Conn(ctx)
	if err != nil {
		cancel()
		return err
	}
	m.mu.Lock()
	m.cancel = cancel
	m.started = time.Now()
	m.mu.Unlock()
	m.wg.Add(1)
	go m.writeHeartbeats(rctx, hb)
	for i, rm := range m.reps {
		conn, err := rm.db.Conn(ctx)
		if err != nil {
			cancel()
			m.wg.Wait()
			return err
		}
		if _, err := conn.ExecContext(ctx, "SET SESSION time_zone = '+00:00'"); err != nil {
			conn.Close()
			cancel()
			m.wg.Wait()
			return err
		}
		m.wg.Add(2)
		go m.sample(rctx, rm, conn)
		go m.awaitMarks(rctx, i, rm)
	}
	return nil
}

func (m *Monitor) writeHeartbeats(ctx context.Context, conn *sql.Conn) {
	defer m.wg.Done()
	defer conn.Close()
	tick := time.NewTicker(m.opts.Interval)
	defer tick.Stop()
	// Prepared once: a beat is one round trip (the driver would otherwise
	// prepare, execute and close the statement every 100 ms).
	stmt, err := conn.PrepareContext(ctx, fmt.Sprintf("UPDATE %s.%s SET seq = ?, ts = NOW(6) WHERE id = 1", HeartbeatSchema, HeartbeatTable))
	if err != nil {
		if ctx.Err() == nil {
			m.fail(fmt.Errorf("heartbeat on the primary: %w", err))
		}
		return
	}
	defer stmt.Close()
	for seq := uint64(1); ; seq++ {
		m.mu.Lock()
		m.beats = append(m.beats, Beat{Sent: time.Now()})
		m.mu.Unlock()
		_, err := stmt.ExecContext(ctx, seq)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			m.fail(fmt.Errorf("heartbeat on the primary: %w", err))
			return
		}
		m.mu.Lock()
		m.beats[seq-1].Acked = time.Now()
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// lagAt is the lag of a replica that has heartbeat seq at t: t minus the
// acknowledgement of heartbeat seq+1 when the primary acknowledged it
// before t, else 0.
func (m *Monitor) lagAt(t time.Time, seq uint64) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	if int(seq) >= len(m.beats) {
		return 0
	}
	next := m.beats[seq] // heartbeat seq+1
	if next.Acked.IsZero() || !next.Acked.Before(t) {
		return 0
	}
	return t.Sub(next.Acked)
}

// sample reads the heartbeat and the applier threads of one replica every
// interval.
func (m *Monitor) sample(ctx context.Context, rm *repMon, conn *sql.Conn) {
	defer m.wg.Done()
	defer conn.Close()
	tick := time.NewTicker(m.opts.Interval)
	defer tick.Stop()
	// On MariaDB the same read takes @@gtid_slave_pos: one round trip
	// per sample fewer on a replica that shares the primary's cores here.
	q := fmt.Sprintf("SELECT seq, '' FROM %s.%s WHERE id = 1", HeartbeatSchema, HeartbeatTable)
	if !m.t.d.mysql() {
		q = fmt.Sprintf("SELECT seq, @@gtid_slave_pos FROM %s.%s WHERE id = 1", HeartbeatSchema, HeartbeatTable)
	}
	for {
		t := time.Now()
		var seq uint64
		var pos sql.NullString
		err := conn.QueryRowContext(ctx, q).Scan(&seq, &pos)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			m.fail(fmt.Errorf("heartbeat on %s: %w", rm.node.Name, err))
			return
		}
		s := LagSample{T: t, Seq: seq, Lag: m.lagAt(t, seq)}
		if err := m.sampleApplier(ctx, rm, conn, t, pos.String); err != nil && ctx.Err() == nil {
			m.fail(fmt.Errorf("applier of %s: %w", rm.node.Name, err))
			return
		}
		m.mu.Lock()
		rm.lag = append(rm.lag, s)
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sampleApplier records what the replica's applier threads work on:
// MySQL's performance_schema applier tables (each transaction's GTID with
// the server's own start and end timestamps), MariaDB's processlist of the
// replication threads (a statement's text and how long it has run) and
// @@gtid_slave_pos (read with the heartbeat: slavePos).
func (m *Monitor) sampleApplier(ctx context.Context, rm *repMon, conn *sql.Conn, t time.Time, slavePos string) error {
	if m.t.d.mysql() {
		rows, err := conn.QueryContext(ctx, `SELECT w.APPLYING_TRANSACTION, w.APPLYING_TRANSACTION_START_APPLY_TIMESTAMP,
			w.LAST_APPLIED_TRANSACTION, w.LAST_APPLIED_TRANSACTION_START_APPLY_TIMESTAMP, w.LAST_APPLIED_TRANSACTION_END_APPLY_TIMESTAMP,
			t.PROCESSLIST_INFO
			FROM performance_schema.replication_applier_status_by_worker w
			LEFT JOIN performance_schema.threads t ON t.THREAD_ID = w.THREAD_ID`)
		if err != nil {
			return err
		}
		defer rows.Close()
		m.mu.Lock()
		defer m.mu.Unlock()
		for rows.Next() {
			var ag, lg, info sql.NullString
			var as, ls, le sql.NullTime
			if err := rows.Scan(&ag, &as, &lg, &ls, &le, &info); err != nil {
				return err
			}
			applying := as.Valid && as.Time.Year() > 1970
			switch {
			case validGTID(ag.String) && applying:
				sp := rm.span(ag.String)
				sp.Start, sp.Exact = as.Time, true
			case applying && info.String != "" && t.Sub(as.Time) >= m.opts.Interval:
				// Anonymous transactions (gtid_mode OFF): by text.
				sp := rm.span(normalize(info.String))
				sp.Start, sp.End, sp.Exact = as.Time, t, true
			}
			if g := lg.String; validGTID(g) && ls.Valid && le.Valid && le.Time.Year() > 1970 {
				sp := rm.span(g)
				sp.Start, sp.End, sp.Exact = ls.Time, le.Time, true
			}
		}
		return rows.Err()
	}
	rows, err := conn.QueryContext(ctx, `SELECT TIME_MS, INFO FROM information_schema.PROCESSLIST
		WHERE USER = 'system user' AND COMMAND IN ('Slave_SQL', 'Slave_worker') AND INFO IS NOT NULL`)
	if err != nil {
		return err
	}
	defer rows.Close()
	m.mu.Lock()
	defer m.mu.Unlock()
	rm.slavePos = append(rm.slavePos, posSample{T: t, Pos: slavePos})
	for rows.Next() {
		var ms float64
		var info string
		if err := rows.Scan(&ms, &info); err != nil {
			return err
		}
		running := time.Duration(ms * float64(time.Millisecond))
		if running < m.opts.Interval && !isDDL(info) {
			continue // the load's own short writes
		}
		sp := rm.span(normalize(info))
		if sp.Start.IsZero() {
			// TIME_MS of a replication thread can count from the
			// event's timestamp on the primary (MariaDB sets the
			// thread's time to it): never earlier than a sample before
			// the first one that saw it.
			sp.Start = t.Add(-running)
			if first := t.Add(-m.opts.Interval); first.After(sp.Start) {
				sp.Start = first
			}
		}
		sp.End = t // seen running until at least now
	}
	return rows.Err()
}

func (rm *repMon) span(key string) *Span {
	sp := rm.spans[key]
	if sp == nil {
		sp = &Span{Key: key}
		rm.spans[key] = sp
	}
	return sp
}

// isDDL reports whether a statement's text is a schema change.
func isDDL(s string) bool {
	w := strings.ToUpper(strings.TrimLeft(s, " \t\n("))
	for _, p := range []string{"ALTER ", "CREATE ", "DROP ", "RENAME ", "TRUNCATE ", "OPTIMIZE "} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// validGTID is a GTID (uuid:n), not ANONYMOUS, AUTOMATIC or empty.
func validGTID(g string) bool { return strings.Contains(g, ":") || strings.Count(g, "-") == 2 }

// normalize is a statement's text compared across the primary and the
// replica's processlist: spaces collapsed, upper-case, at most 200 bytes.
func normalize(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), " "))
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// awaitMarks waits on one replica for each marked position in turn.
func (m *Monitor) awaitMarks(ctx context.Context, i int, rm *repMon) {
	defer m.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case mk, ok := <-rm.marks:
			if !ok {
				return
			}
			at, err := m.t.d.wait(ctx, rm.db, mk.Pos, MarkTimeout)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				m.fail(fmt.Errorf("%s: %s: %w", rm.node.Name, mk.Label, err))
				continue
			}
			m.mu.Lock()
			mk.Reached[i] = at
			m.mu.Unlock()
		}
	}
}

// MarkTimeout bounds how long a replica may take to apply one statement.
var MarkTimeout = 3600

// Mark records a statement that ran on the primary from start to end:
// the primary's position now, and (asynchronously) when each replica has
// applied it. gtid is the statement's own transaction, "" when unknown.
func (m *Monitor) Mark(ctx context.Context, label, text string, start, end time.Time, gtid string) (*Mark, error) {
	pos, err := m.t.d.position(ctx, m.pdb)
	if err != nil {
		return nil, err
	}
	mk := &Mark{Label: label, Text: text, Start: start, End: end, GTID: gtid, Pos: pos, Reached: make([]time.Time, len(m.reps))}
	m.mu.Lock()
	m.marks = append(m.marks, mk)
	m.mu.Unlock()
	for _, rm := range m.reps {
		select {
		case rm.marks <- mk:
		default:
			return mk, errors.New("replicas: too many statements waiting for the replicas")
		}
	}
	return mk, nil
}

// StatementGTID reads the GTID of the last transaction of conn's session
// (the statement that just ran on it), "" when there is none.
func (t *Topology) StatementGTID(ctx context.Context, conn *sql.Conn) string {
	var g sql.NullString
	q := "SELECT @@last_gtid"
	if t.d.mysql() {
		q = "SELECT GTID FROM performance_schema.events_transactions_current WHERE THREAD_ID = PS_CURRENT_THREAD_ID() AND STATE = 'COMMITTED'"
	}
	if err := conn.QueryRowContext(ctx, q).Scan(&g); err != nil || !validGTID(g.String) {
		return ""
	}
	return g.String
}

// CatchUp waits until every replica has applied everything the primary
// has committed now, at most timeout; it returns the replicas that had not.
func (m *Monitor) CatchUp(ctx context.Context, timeout time.Duration) ([]string, error) {
	mk, err := m.Mark(ctx, "catch-up", "", time.Now(), time.Now(), "")
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	for {
		m.mu.Lock()
		var behind []string
		for i, at := range mk.Reached {
			if at.IsZero() {
				behind = append(behind, m.reps[i].node.Name)
			}
		}
		m.mu.Unlock()
		if len(behind) == 0 || time.Now().After(deadline) {
			return behind, nil
		}
		select {
		case <-ctx.Done():
			return behind, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (m *Monitor) fail(err error) {
	m.mu.Lock()
	m.errs = append(m.errs, err)
	m.mu.Unlock()
}

// Result is everything a monitor measured.
type Result struct {
	Started  time.Time
	Interval time.Duration
	Beats    []Beat
	Marks    []*Mark
	Replicas []ReplicaResult
	// Errors of the measurement itself (a replica that stopped
	// replicating, a heartbeat that failed).
	Errors []string
}

// ReplicaResult is one replica's samples.
type ReplicaResult struct {
	Name     string
	Lag      []LagSample
	Spans    []Span // sorted by start
	slavePos []posSample
}

// Stop stops every goroutine, closes the connections and returns what was
// measured. Calling it again returns the same result.
func (m *Monitor) Stop() *Result {
	m.mu.Lock()
	if m.stopped {
		res := m.result
		m.mu.Unlock()
		return res
	}
	m.stopped = true
	cancel := m.cancel
	m.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	m.wg.Wait()
	for _, rm := range m.reps {
		rm.db.Close()
	}
	if m.pdb != nil {
		m.pdb.Close()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	res := &Result{Started: m.started, Interval: m.opts.Interval, Beats: m.beats, Marks: m.marks}
	for _, e := range m.errs {
		res.Errors = append(res.Errors, e.Error())
	}
	marked := map[string]bool{}
	for _, mk := range m.marks {
		marked[mk.GTID] = true
	}
	for _, rm := range m.reps {
		rr := ReplicaResult{Name: rm.node.Name, Lag: rm.lag, slavePos: rm.slavePos}
		for _, sp := range rm.spans {
			// The load's own transactions are kept only when long.
			if marked[sp.Key] || !sp.End.IsZero() && sp.End.Sub(sp.Start) >= m.opts.Interval || sp.End.IsZero() {
				rr.Spans = append(rr.Spans, *sp)
			}
		}
		sort.Slice(rr.Spans, func(i, j int) bool { return rr.Spans[i].Start.Before(rr.Spans[j].Start) })
		res.Replicas = append(res.Replicas, rr)
	}
	m.result = res
	return res
}
