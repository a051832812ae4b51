package mysqlkit

import (
	"context"
	"database/sql"
	"fmt"
)

// Querier is a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ServerUUID identifies the server instance: @@server_uuid on MySQL; on
// MariaDB, which has no server_uuid, "mariadb:" and its @@hostname, @@port
// and @@datadir. The engines (a started server's identity) and the snapshot
// (its source's) read it here, so the production guard compares like with
// like.
func ServerUUID(ctx context.Context, q Querier) (string, error) {
	var uuid string
	err := q.QueryRowContext(ctx, "SELECT @@server_uuid").Scan(&uuid)
	if err == nil {
		return uuid, nil
	}
	if !Is(err, ErrUnknownSystemVariable) {
		return "", err
	}
	var host, datadir string
	var port int
	if err := q.QueryRowContext(ctx, "SELECT @@hostname, @@port, @@datadir").Scan(&host, &port, &datadir); err != nil {
		return "", err
	}
	return fmt.Sprintf("mariadb:%s:%d:%s", host, port, datadir), nil
}
