package restore

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// history fills each history table (created with the other tables) with
// its rows, exactly as captured.
func (a *applier) history(ctx context.Context) error {
	for _, h := range a.snap.History {
		if len(h.Rows) == 0 {
			continue
		}
		tbl := mysqlkit.Quote(a.target(h.Schema)) + "." + mysqlkit.Quote(h.Table)
		var n int
		if err := a.conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", a.target(h.Schema), h.Table).Scan(&n); err != nil {
			return fmt.Errorf("restore history %s.%s: %w", h.Schema, h.Table, err)
		}
		if n == 0 {
			if h.CreateSQL == "" {
				return fmt.Errorf("restore history %s.%s: the table is not in the snapshot's schema and has no create_sql", h.Schema, h.Table)
			}
			if err := a.use(ctx, h.Schema); err != nil {
				return err
			}
			if err := a.exec(ctx, "history table "+h.Table, h.CreateSQL); err != nil {
				return err
			}
		}
		cols := make([]string, 0, len(h.Rows[0]))
		for c := range h.Rows[0] {
			cols = append(cols, c)
		}
		sort.Strings(cols)
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = mysqlkit.Quote(c)
		}
		const batch = 500
		for start := 0; start < len(h.Rows); start += batch {
			end := min(start+batch, len(h.Rows))
			var sb strings.Builder
			args := make([]any, 0, (end-start)*len(cols))
			sb.WriteString("INSERT INTO " + tbl + " (" + strings.Join(quoted, ", ") + ") VALUES ")
			for i, r := range h.Rows[start:end] {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")")
				for _, c := range cols {
					if v := r[c]; v != nil {
						args = append(args, *v)
					} else {
						args = append(args, nil)
					}
				}
			}
			if _, err := a.conn.ExecContext(ctx, sb.String(), args...); err != nil {
				return fmt.Errorf("restore history rows of %s.%s: %w", h.Schema, h.Table, err)
			}
		}
		logf(a.opts.Log, "restore: %d history rows into %s.%s (%s)", len(h.Rows), a.target(h.Schema), h.Table, h.Runner)
	}
	return nil
}
