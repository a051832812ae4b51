package datagen

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// ErrSchemaMismatch is wrapped by the error Generate returns when the
// server's tables differ from the snapshot's (nothing has been written).
var ErrSchemaMismatch = errors.New("server schema differs from the snapshot")

// ErrNotEmpty is wrapped when a target table already holds rows and
// Options.Truncate is off.
var ErrNotEmpty = errors.New("target table is not empty")

type serverColumn struct {
	typ       string
	nullable  bool
	generated bool
}

// checkSchema compares every planned table with the server and returns the
// differences (one line each), before anything is written.
func checkSchema(ctx context.Context, db *sql.DB, plans []*tablePlan) ([]string, error) {
	var diffs []string
	for _, p := range plans {
		cols, err := serverColumns(ctx, db, p.db, p.name)
		if err != nil {
			return nil, err
		}
		if len(cols) == 0 {
			diffs = append(diffs, fmt.Sprintf("table %s.%s: in the snapshot, not on the server", p.db, p.name))
			continue
		}
		seen := map[string]bool{}
		for _, cp := range p.cols {
			name := strings.ToLower(cp.col.Name)
			seen[name] = true
			sc, ok := cols[name]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("column %s.%s.%s: in the snapshot, not on the server", p.db, p.name, cp.col.Name))
				continue
			}
			if normType(sc.typ) != normType(cp.col.Type) {
				diffs = append(diffs, fmt.Sprintf("column %s.%s.%s: snapshot %s, server %s", p.db, p.name, cp.col.Name, cp.col.Type, sc.typ))
			}
			if sc.nullable != cp.col.Nullable {
				diffs = append(diffs, fmt.Sprintf("column %s.%s.%s: snapshot %s, server %s", p.db, p.name, cp.col.Name, nullWord(cp.col.Nullable), nullWord(sc.nullable)))
			}
		}
		for name := range cols {
			if !seen[name] {
				diffs = append(diffs, fmt.Sprintf("column %s.%s.%s: on the server, not in the snapshot", p.db, p.name, name))
			}
		}
	}
	return diffs, nil
}

func nullWord(b bool) string {
	if b {
		return "NULL"
	}
	return "NOT NULL"
}

func serverColumns(ctx context.Context, db *sql.DB, schema, table string) (map[string]serverColumn, error) {
	rows, err := db.QueryContext(ctx, `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, EXTRA FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, schema, table)
	if err != nil {
		return nil, fmt.Errorf("read columns of %s.%s: %w", schema, table, err)
	}
	defer rows.Close()
	out := map[string]serverColumn{}
	for rows.Next() {
		var name, typ, nullable, extra string
		if err := rows.Scan(&name, &typ, &nullable, &extra); err != nil {
			return nil, err
		}
		out[strings.ToLower(name)] = serverColumn{typ: typ, nullable: nullable == "YES",
			generated: strings.Contains(strings.ToUpper(extra), "GENERATED") && !strings.Contains(strings.ToUpper(extra), "DEFAULT_GENERATED")}
	}
	return out, rows.Err()
}

var reIntWidth = regexp.MustCompile(`^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)`)

// normType makes types from different flavors comparable: integer display
// widths (MySQL 8 hides them) and MariaDB's JSON alias.
func normType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	t = reIntWidth.ReplaceAllString(t, "$1")
	if t == "json" {
		return "longtext"
	}
	return t
}

// mismatchError lists schema differences.
func mismatchError(diffs []string) error {
	const show = 20
	list := diffs
	more := ""
	if len(list) > show {
		more = fmt.Sprintf("\n  ... and %d more", len(list)-show)
		list = list[:show]
	}
	return rehearse.WithHint(fmt.Errorf("%w (%d difference(s)); nothing was written:\n  %s%s", ErrSchemaMismatch, len(diffs), strings.Join(list, "\n  "), more),
		"restore the snapshot's schema on the server first (rehearse sandbox --snapshot FILE), or take a new snapshot of the schema you mean to fill")
}

// nonEmpty lists planned tables that already hold rows.
func nonEmpty(ctx context.Context, db *sql.DB, plans []*tablePlan) ([]string, error) {
	var out []string
	for _, p := range plans {
		var one int
		err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT 1 FROM %s.%s LIMIT 1", mysqlkit.Quote(p.db), mysqlkit.Quote(p.name))).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("check %s.%s is empty: %w", p.db, p.name, err)
		}
		out = append(out, p.db+"."+p.name)
	}
	return out, nil
}
