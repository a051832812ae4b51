package replica

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse/engine"
)

// dialect spells replication statements for one flavor and version: MySQL
// 8.0.22+/8.4 (REPLICA, SOURCE; 8.4 removed the SLAVE and MASTER forms),
// older MySQL and MariaDB (SLAVE, MASTER; MariaDB keeps the old column
// names). Columns are read by name, never by position.
type dialect struct {
	flavor  engine.Flavor
	version string
	gtid    bool // the topology positions by GTID
}

func (d dialect) mysql() bool { return d.flavor == engine.MySQL }

// sourceWords: MySQL 8.0.23+ says SOURCE and REPLICA.
func (d dialect) sourceWords() bool { return d.mysql() && engine.VersionAtLeast(d.version, 8, 0, 23) }

func (d dialect) replicaStatus() string {
	if d.mysql() && !engine.VersionAtLeast(d.version, 8, 0, 22) {
		return "SHOW SLAVE STATUS"
	}
	return "SHOW REPLICA STATUS" // MySQL 8.0.22+, MariaDB 10.5.1+
}

func (d dialect) start() string {
	if d.mysql() && !engine.VersionAtLeast(d.version, 8, 0, 22) || !d.mysql() && !engine.VersionAtLeast(d.version, 10, 5, 1) {
		return "START SLAVE"
	}
	return "START REPLICA"
}

// changeSource is the statement pointing a replica at the primary.
func (d dialect) changeSource(host string, port int, user, password string, at Position) string {
	q := func(s string) string {
		return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
	}
	if d.sourceWords() {
		s := fmt.Sprintf("CHANGE REPLICATION SOURCE TO SOURCE_HOST=%s, SOURCE_PORT=%d, SOURCE_USER=%s, SOURCE_PASSWORD=%s, GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=1",
			q(host), port, q(user), q(password))
		if d.gtid {
			return s + ", SOURCE_AUTO_POSITION=1"
		}
		return s + fmt.Sprintf(", SOURCE_LOG_FILE=%s, SOURCE_LOG_POS=%d", q(at.File), at.Pos)
	}
	s := fmt.Sprintf("CHANGE MASTER TO MASTER_HOST=%s, MASTER_PORT=%d, MASTER_USER=%s, MASTER_PASSWORD=%s, MASTER_CONNECT_RETRY=1",
		q(host), port, q(user), q(password))
	switch {
	case d.mysql() && d.gtid:
		return s + ", GET_MASTER_PUBLIC_KEY=1, MASTER_AUTO_POSITION=1"
	case d.mysql():
		return s + fmt.Sprintf(", GET_MASTER_PUBLIC_KEY=1, MASTER_LOG_FILE=%s, MASTER_LOG_POS=%d", q(at.File), at.Pos)
	case d.gtid:
		return s + ", MASTER_USE_GTID=slave_pos"
	}
	return s + fmt.Sprintf(", MASTER_LOG_FILE=%s, MASTER_LOG_POS=%d", q(at.File), at.Pos)
}

// Position is a point in the primary's binary log: a GTID set (MySQL's
// gtid_executed, MariaDB's gtid_binlog_pos) or a file and offset.
type Position struct {
	GTID string
	File string
	Pos  int64
}

func (p Position) String() string {
	if p.File != "" {
		return fmt.Sprintf("%s:%d", p.File, p.Pos)
	}
	return p.GTID
}

// position reads the primary's current binary log position.
func (d dialect) position(ctx context.Context, db querier) (Position, error) {
	if d.gtid {
		v := "@@global.gtid_executed"
		if !d.mysql() {
			v = "@@global.gtid_binlog_pos"
		}
		var g sql.NullString
		if err := db.QueryRowContext(ctx, "SELECT "+v).Scan(&g); err != nil {
			return Position{}, fmt.Errorf("read the primary's GTID position: %w", err)
		}
		return Position{GTID: strings.ReplaceAll(g.String, "\n", "")}, nil
	}
	stmt := "SHOW MASTER STATUS"
	if d.mysql() && engine.VersionAtLeast(d.version, 8, 2) {
		stmt = "SHOW BINARY LOG STATUS"
	}
	row, err := oneRow(ctx, db, stmt)
	if err != nil {
		return Position{}, fmt.Errorf("read the primary's binary log position: %w", err)
	}
	var p Position
	p.File = row["file"]
	fmt.Sscan(row["position"], &p.Pos)
	if p.File == "" {
		return Position{}, fmt.Errorf("read the primary's binary log position: %s shows no binary log (log_bin off?)", stmt)
	}
	return p, nil
}

// waitFor is the query that blocks on a replica until it has applied p,
// returning a non-negative number then (0 for the GTID forms), -1 or 1 on
// timeout, NULL when replication is not running.
func (d dialect) waitFor(p Position, timeoutS int) (string, []any) {
	switch {
	case d.gtid && d.mysql():
		return "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)", []any{p.GTID, timeoutS}
	case d.gtid:
		return "SELECT MASTER_GTID_WAIT(?, ?)", []any{p.GTID, timeoutS}
	case d.mysql() && engine.VersionAtLeast(d.version, 8, 0, 26):
		return "SELECT SOURCE_POS_WAIT(?, ?, ?)", []any{p.File, p.Pos, timeoutS}
	}
	return "SELECT MASTER_POS_WAIT(?, ?, ?)", []any{p.File, p.Pos, timeoutS}
}

// waitReached interprets waitFor's result.
func (d dialect) waitReached(v sql.NullInt64) bool {
	if !v.Valid {
		return false
	}
	if d.gtid && d.mysql() {
		return v.Int64 == 0
	}
	return v.Int64 >= 0
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// oneRow reads the first row of a SHOW statement as lower-case column ->
// value ("" for NULL); nil when it has none.
func oneRow(ctx context.Context, db querier, stmt string) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, stmt)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	if !rows.Next() {
		return nil, rows.Err()
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(cols))
	for i, c := range cols {
		out[strings.ToLower(c)] = vals[i].String
	}
	return out, rows.Err()
}

// status is a replica's SHOW REPLICA STATUS, read by name across spellings.
type status map[string]string

func (s status) get(names ...string) string {
	for _, n := range names {
		if v, ok := s[strings.ToLower(n)]; ok {
			return v
		}
	}
	return ""
}

func (s status) ioRunning() string  { return s.get("Replica_IO_Running", "Slave_IO_Running") }
func (s status) sqlRunning() string { return s.get("Replica_SQL_Running", "Slave_SQL_Running") }
func (s status) lastError() string {
	for _, k := range []string{"Last_IO_Error", "Last_SQL_Error", "Last_Error"} {
		if v := s.get(k); v != "" {
			return v
		}
	}
	return ""
}
