package mysqlkit

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// RowsQuerier is a *sql.DB, *sql.Conn or *sql.Tx.
type RowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// GlobalStatus reads numeric global status variables in one round trip,
// keyed by lower-cased name; a variable the server does not have (or whose
// value is not a whole number) is absent from the map. names are status
// variable names, never user input.
func GlobalStatus(ctx context.Context, q RowsQuerier, names ...string) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name IN ('"+strings.Join(names, "','")+"')")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			out[strings.ToLower(k)] = n
		}
	}
	return out, rows.Err()
}
