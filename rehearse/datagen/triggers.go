package datagen

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// savedTrigger is a trigger dropped for the load, with what it takes to
// create it again exactly: its statement as the server keeps it, the
// sql_mode and character set it was created under.
type savedTrigger struct {
	schema, name, table string
	stmt                string
	sqlMode             string
	charset, collation  string
}

// dropTriggers drops the triggers on the given tables (so generated rows do
// not fire them: a dump restore loads data before triggers too) and returns
// them in creation order for restoreTriggers.
func dropTriggers(ctx context.Context, db *sql.DB, plans []*tablePlan) ([]savedTrigger, error) {
	var saved []savedTrigger
	for _, p := range plans {
		rows, err := db.QueryContext(ctx, `SELECT TRIGGER_NAME FROM information_schema.TRIGGERS
			WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? ORDER BY ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER`, p.db, p.name)
		if err != nil {
			return saved, fmt.Errorf("list triggers of %s.%s: %w", p.db, p.name, err)
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return saved, err
			}
			names = append(names, n)
		}
		rows.Close()
		for _, n := range names {
			t := savedTrigger{schema: p.db, name: n, table: p.name}
			row := db.QueryRowContext(ctx, fmt.Sprintf("SHOW CREATE TRIGGER %s.%s", mysqlkit.Quote(p.db), mysqlkit.Quote(n)))
			var created sql.NullString
			cols := []any{&t.name, &t.sqlMode, &t.stmt, &t.charset, &t.collation, new(string), &created}
			if err := row.Scan(cols...); err != nil {
				return saved, fmt.Errorf("read trigger %s.%s: %w", p.db, n, err)
			}
			if _, err := db.ExecContext(ctx, fmt.Sprintf("DROP TRIGGER %s.%s", mysqlkit.Quote(p.db), mysqlkit.Quote(n))); err != nil {
				return saved, fmt.Errorf("drop trigger %s.%s for the load: %w", p.db, n, err)
			}
			saved = append(saved, t)
		}
	}
	return saved, nil
}

// restoreTriggers creates the dropped triggers again, in their original
// order, each under its own sql_mode and character set.
func restoreTriggers(ctx context.Context, db *sql.DB, saved []savedTrigger) error {
	if len(saved) == 0 {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var failed []string
	for _, t := range saved {
		stmts := []string{
			"USE " + mysqlkit.Quote(t.schema),
			"SET SESSION sql_mode = '" + strings.ReplaceAll(t.sqlMode, "'", "''") + "'",
			"SET NAMES " + t.charset + " COLLATE " + t.collation,
			t.stmt,
		}
		for _, s := range stmts {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				failed = append(failed, fmt.Sprintf("%s.%s: %v", t.schema, t.name, err))
				break
			}
		}
	}
	_, _ = conn.ExecContext(ctx, "SET NAMES utf8mb4")
	if len(failed) > 0 {
		return fmt.Errorf("re-create triggers after the load: %s", strings.Join(failed, "; "))
	}
	return nil
}
