package locks

import (
	"context"
	"database/sql"
	"strings"
)

func init() {
	registerSource(sourceInfo{name: "processlist", kind: MetadataLock, rank: 90,
		available: func(ctx context.Context, c *sql.Conn, _ string) error {
			_, err := c.ExecContext(ctx, "SELECT 1 FROM information_schema.PROCESSLIST LIMIT 0")
			return err
		},
		new: func(cfg srcConfig) source {
			return &processlistSource{self: cfg.self, limit: cfg.limit, timing: cfg.timing}
		}})
}

// processlistSource is the fallback without performance_schema: sessions
// whose state says they wait for a metadata lock. It sees neither the
// table (left empty) nor the blocker.
type processlistSource struct {
	self   int64
	limit  int
	timing *stmtTiming
}

func (s *processlistSource) name() string { return "processlist" }

func (s *processlistSource) sample(ctx context.Context, c *sql.Conn, obs []observation) ([]observation, error) {
	rows, err := c.QueryContext(ctx, `SELECT pl.ID, IFNULL(pl.DB, ''), IFNULL(pl.INFO, ''), pl.STATE, `+
		s.timing.elapsedCols("(SELECT th.THREAD_ID FROM performance_schema.threads th WHERE th.PROCESSLIST_ID = pl.ID)", "pl.ID")+`
		FROM information_schema.PROCESSLIST pl WHERE pl.STATE LIKE 'Waiting for %metadata lock'`)
	if err != nil {
		return obs, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var db, info, state string
		var elapsed, now sql.NullFloat64
		var event sql.NullInt64
		if err := rows.Scan(&id, &db, &info, &state, &elapsed, &event, &now); err != nil {
			return obs, err
		}
		since, ev := s.timing.since(elapsed, event, now)
		if id == s.self {
			continue
		}
		obs = append(obs, observation{
			key:       waitKey{conn: id, kind: MetadataLock, schema: db, lockType: strings.TrimPrefix(state, "Waiting for ")},
			statement: truncate(info, s.limit), source: s.name(), since: since, event: ev,
		})
	}
	return obs, rows.Err()
}

func (s *processlistSource) ends(ctx context.Context, c *sql.Conn, reqs []endReq) (endInfo, error) {
	return s.timing.ends(ctx, c, reqs)
}

var (
	_ source = (*processlistSource)(nil)
	_ ender  = (*processlistSource)(nil)
)
