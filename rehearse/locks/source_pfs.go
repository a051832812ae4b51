package locks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

func init() {
	registerSource(sourceInfo{name: "performance_schema.metadata_locks", kind: MetadataLock, rank: 10,
		available: pfsAvailable,
		new: func(cfg srcConfig) source {
			return &pfsSource{self: cfg.self, limit: cfg.limit, timing: cfg.timing}
		}})
}

// pfsAvailable requires performance_schema on and the metadata-lock
// instrument enabled (MariaDB has it off unless the server was started with
// it, as the project's engines do).
func pfsAvailable(ctx context.Context, c *sql.Conn, _ string) error {
	var on sql.NullInt64
	if err := c.QueryRowContext(ctx, "SELECT @@performance_schema").Scan(&on); err != nil {
		return err
	}
	if on.Int64 != 1 {
		return errors.New("performance_schema is OFF (start the server with --performance-schema=ON)")
	}
	var enabled string
	err := c.QueryRowContext(ctx, "SELECT ENABLED FROM performance_schema.setup_instruments WHERE NAME = 'wait/lock/metadata/sql/mdl'").Scan(&enabled)
	if err != nil {
		return fmt.Errorf("read the metadata-lock instrument: %w", err)
	}
	if !strings.EqualFold(enabled, "YES") {
		return errors.New("instrument wait/lock/metadata/sql/mdl is disabled (start the server with --performance-schema-instrument='wait/lock/metadata/sql/mdl=ON')")
	}
	return nil
}

// pfsSource reads performance_schema.metadata_locks. Every tick it reads the
// pending requests only (usually none); when there are some, a second query
// reads the granted locks on those tables, and each waiter's blockers are
// the sessions whose granted lock, or earlier pending request, conflicts
// with it under the server's compatibility rules.
type pfsSource struct {
	self   int64
	limit  int
	timing *stmtTiming
	// known are the statement starts of the requests pending at the last
	// sample, by request, so each is asked for once.
	known map[request]stmtStart
}

// request identifies one pending lock request: the session and the
// request's ticket in the server's memory.
type request struct {
	conn  int64
	order uint64
}

func (s *pfsSource) name() string { return "performance_schema.metadata_locks" }

// pfsPending lists the pending requests. It is the query of every tick,
// kept cheap: the statement clock of the waiters (stmtTiming.starts) is
// asked separately, once per new request — on MariaDB it reads
// information_schema.PROCESSLIST, which the server builds in full (about a
// millisecond) whenever a query names it.
const pfsPending = `SELECT m.OBJECT_SCHEMA, m.OBJECT_NAME, m.LOCK_TYPE, t.PROCESSLIST_ID, t.PROCESSLIST_INFO, m.OBJECT_INSTANCE_BEGIN, NULL, NULL, NULL
FROM performance_schema.metadata_locks m JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
WHERE m.LOCK_STATUS = 'PENDING' AND m.OBJECT_TYPE = 'TABLE'`

const pfsGranted = `SELECT m.OBJECT_SCHEMA, m.OBJECT_NAME, m.LOCK_TYPE, t.PROCESSLIST_ID, t.PROCESSLIST_INFO, m.OBJECT_INSTANCE_BEGIN, NULL, NULL, NULL
FROM performance_schema.metadata_locks m JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
WHERE m.LOCK_STATUS = 'GRANTED' AND m.OBJECT_TYPE = 'TABLE' AND m.OBJECT_SCHEMA = ? AND m.OBJECT_NAME = ?`

type mdlRow struct {
	schema, table, lockType string
	conn                    int64
	info                    string
	order                   uint64
	since                   time.Time // the statement's start, zero when unknown
	event                   int64     // its statement event id, 0 when unknown
}

func (s *pfsSource) query(ctx context.Context, c *sql.Conn, q string, args ...any) ([]mdlRow, error) {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mdlRow
	for rows.Next() {
		var r mdlRow
		var conn sql.NullInt64
		var info sql.NullString
		var elapsed, now sql.NullFloat64
		var event sql.NullInt64
		if err := rows.Scan(&r.schema, &r.table, &r.lockType, &conn, &info, &r.order, &elapsed, &event, &now); err != nil {
			return nil, err
		}
		r.since, r.event = s.timing.since(elapsed, event, now)
		if !conn.Valid || conn.Int64 == s.self || systemSchemas[strings.ToLower(r.schema)] {
			continue
		}
		r.conn, r.info = conn.Int64, truncate(info.String, s.limit)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *pfsSource) sample(ctx context.Context, c *sql.Conn, obs []observation) ([]observation, error) {
	pending, err := s.query(ctx, c, pfsPending)
	if err != nil || len(pending) == 0 {
		s.known = nil
		return obs, err
	}
	if err := s.stmtStarts(ctx, c, pending); err != nil {
		return obs, err
	}
	type obj struct{ schema, table string }
	granted := map[obj][]mdlRow{}
	for _, p := range pending {
		o := obj{p.schema, p.table}
		if _, done := granted[o]; done {
			continue
		}
		g, err := s.query(ctx, c, pfsGranted, p.schema, p.table)
		if err != nil {
			return obs, err
		}
		granted[o] = g
	}
	for _, p := range pending {
		var bl []Blocker
		for _, g := range granted[obj{p.schema, p.table}] {
			if g.conn != p.conn && conflicts(p.lockType, g.lockType, true) {
				bl = addBlocker(bl, Blocker{ConnID: g.conn, LockType: g.lockType, Granted: true, Statement: g.info})
			}
		}
		// Requests queued ahead: the server lists pending requests in
		// no particular order, so a conflicting pending request counts as
		// ahead only when no granted lock explains the wait.
		if len(bl) == 0 {
			for _, q := range pending {
				if q.conn != p.conn && q.schema == p.schema && q.table == p.table && conflicts(p.lockType, q.lockType, false) {
					bl = addBlocker(bl, Blocker{ConnID: q.conn, LockType: q.lockType, Statement: q.info})
				}
			}
		}
		// MariaDB does not update LOCK_TYPE when a lock is upgraded (a COPY
		// ALTER still shows SHARED_UPGRADABLE while it holds
		// SHARED_NO_WRITE): when nothing explains the wait, an upgradable
		// or stronger holder is the blocker.
		if len(bl) == 0 {
			for _, g := range granted[obj{p.schema, p.table}] {
				if g.conn != p.conn && mdlIndex(g.lockType) >= mdlIndex("SHARED_UPGRADABLE") {
					bl = addBlocker(bl, Blocker{ConnID: g.conn, LockType: g.lockType, Granted: true, Statement: g.info})
				}
			}
		}
		obs = append(obs, observation{
			key:       waitKey{conn: p.conn, kind: MetadataLock, schema: p.schema, table: p.table, lockType: p.lockType},
			statement: p.info, blockers: bl, source: s.name(), since: p.since, event: p.event,
		})
	}
	return obs, nil
}

func addBlocker(bl []Blocker, b Blocker) []Blocker {
	for i := range bl {
		if bl[i].ConnID == b.ConnID {
			if b.Granted && !bl[i].Granted {
				bl[i] = b
			}
			return bl
		}
	}
	return append(bl, b)
}

// stmtStarts fills since and event of the pending requests from the
// server's statement clock, asking only about requests not seen before.
func (s *pfsSource) stmtStarts(ctx context.Context, c *sql.Conn, pending []mdlRow) error {
	known := make(map[request]stmtStart, len(pending))
	var ask []int64
	for _, p := range pending {
		k := request{p.conn, p.order}
		if st, ok := s.known[k]; ok {
			known[k] = st
		} else if _, asked := known[k]; !asked {
			known[k] = stmtStart{}
			ask = append(ask, p.conn)
		}
	}
	if len(ask) > 0 {
		got, err := s.timing.starts(ctx, c, ask)
		if err != nil {
			return err
		}
		for k, st := range known {
			if st == (stmtStart{}) {
				known[k] = got[k.conn]
			}
		}
	}
	s.known = known
	for i := range pending {
		st := known[request{pending[i].conn, pending[i].order}]
		pending[i].since, pending[i].event = st.since, st.event
	}
	return nil
}

func (s *pfsSource) ends(ctx context.Context, c *sql.Conn, reqs []endReq) (endInfo, error) {
	return s.timing.ends(ctx, c, reqs)
}

var (
	_ source = (*pfsSource)(nil)
	_ ender  = (*pfsSource)(nil)
)
