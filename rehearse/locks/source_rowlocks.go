package locks

import (
	"context"
	"database/sql"
)

func init() {
	registerSource(sourceInfo{name: "innodb_lock_waits", kind: RowLock, rank: 10,
		available: func(ctx context.Context, c *sql.Conn, flavor string) error {
			_, err := c.ExecContext(ctx, rowLockQuery(flavor)+" LIMIT 0")
			return err
		},
		new: func(cfg srcConfig) source {
			return &rowLockSource{self: cfg.self, q: rowLockQuery(cfg.flavor), limit: cfg.limit}
		}})
}

// rowLockQuery lists (waiting session, its statement, table, blocking
// session) for InnoDB row-lock waits: MariaDB keeps the pairs in
// information_schema.INNODB_LOCK_WAITS, MySQL 8+ in
// performance_schema.data_lock_waits.
func rowLockQuery(flavor string) string {
	if flavor == "mariadb" {
		return `SELECT r.trx_mysql_thread_id, IFNULL(r.trx_query, ''), IFNULL(l.lock_table, ''), b.trx_mysql_thread_id, IFNULL(b.trx_query, '')
FROM information_schema.INNODB_LOCK_WAITS w
JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id
JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id
LEFT JOIN information_schema.INNODB_LOCKS l ON l.lock_id = w.requested_lock_id`
	}
	return `SELECT rt.PROCESSLIST_ID, IFNULL(rt.PROCESSLIST_INFO, ''), CONCAT('` + "`" + `', l.OBJECT_SCHEMA, '` + "`.`" + `', l.OBJECT_NAME, '` + "`" + `'), bt.PROCESSLIST_ID, IFNULL(bt.PROCESSLIST_INFO, '')
FROM performance_schema.data_lock_waits w
JOIN performance_schema.threads rt ON rt.THREAD_ID = w.REQUESTING_THREAD_ID
JOIN performance_schema.threads bt ON bt.THREAD_ID = w.BLOCKING_THREAD_ID
JOIN performance_schema.data_locks l ON l.ENGINE_LOCK_ID = w.REQUESTING_ENGINE_LOCK_ID`
}

// rowLockSource samples InnoDB row-lock waits. It is the expensive source:
// the monitor runs it on the slow tick only.
type rowLockSource struct {
	self  int64
	q     string
	limit int
}

func (s *rowLockSource) name() string { return "innodb_lock_waits" }

func (s *rowLockSource) sample(ctx context.Context, c *sql.Conn, obs []observation) ([]observation, error) {
	rows, err := c.QueryContext(ctx, s.q)
	if err != nil {
		return obs, err
	}
	defer rows.Close()
	idx := map[int64]int{}
	for rows.Next() {
		var waiter, blocker sql.NullInt64
		var info, table, binfo string
		if err := rows.Scan(&waiter, &info, &table, &blocker, &binfo); err != nil {
			return obs, err
		}
		if !waiter.Valid || waiter.Int64 == s.self {
			continue
		}
		schema, tbl := splitQualified(table)
		b := Blocker{ConnID: blocker.Int64, LockType: "ROW", Granted: true, Statement: truncate(binfo, s.limit)}
		if i, ok := idx[waiter.Int64]; ok {
			obs[i].blockers = addBlocker(obs[i].blockers, b)
			continue
		}
		idx[waiter.Int64] = len(obs)
		obs = append(obs, observation{
			key:       waitKey{conn: waiter.Int64, kind: RowLock, schema: schema, table: tbl, lockType: "ROW"},
			statement: truncate(info, s.limit), blockers: []Blocker{b}, source: s.name(),
		})
	}
	return obs, rows.Err()
}

// splitQualified splits "`schema`.`table`" (INNODB_LOCKS.lock_table).
func splitQualified(s string) (string, string) {
	var parts []string
	cur, in := []byte{}, false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '`' && in && i+1 < len(s) && s[i+1] == '`':
			cur = append(cur, '`')
			i++
		case ch == '`':
			in = !in
		case ch == '.' && !in:
			parts = append(parts, string(cur))
			cur = cur[:0]
		default:
			cur = append(cur, ch)
		}
	}
	parts = append(parts, string(cur))
	if len(parts) == 2 {
		return parts[0], parts[1]
	}
	return "", s
}

var _ source = (*rowLockSource)(nil)
