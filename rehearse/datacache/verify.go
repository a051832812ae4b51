package datacache

import (
	"context"

	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/snapshot"
)

// TableCheck is what an entry promises about one table: its row count and a
// checksum of a sample of its rows (the first and last SampleRows by
// primary key, or the first 2×SampleRows in scan order without one).
type TableCheck struct {
	Schema string `json:"schema"`
	Table  string `json:"table"`
	Rows   int64  `json:"rows"`
	Sample string `json:"sample"`
}

// SampleRows is how many rows at each end of a table its sample checksum
// covers.
const SampleRows = 64

// checkTables counts and samples every base table of snap on the server
// behind db, a few tables at a time.
func checkTables(ctx context.Context, db *sql.DB, snap *snapshot.Snapshot) ([]TableCheck, error) {
	var out []TableCheck
	for _, s := range snap.Schemas {
		for _, t := range s.Tables {
			out = append(out, TableCheck{Schema: s.Name, Table: t.Name})
		}
	}
	work := make(chan int)
	errs := make([]error, len(out))
	var wg sync.WaitGroup
	for range min(4, max(1, len(out))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				errs[i] = checkTable(ctx, db, &out[i])
			}
		}()
	}
	for i := range out {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func checkTable(ctx context.Context, db *sql.DB, c *TableCheck) error {
	name := mysqlkit.Quote(c.Schema) + "." + mysqlkit.Quote(c.Table)
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+name).Scan(&c.Rows); err != nil {
		return fmt.Errorf("count %s.%s: %w", c.Schema, c.Table, err)
	}
	pk, err := primaryKey(ctx, db, c.Schema, c.Table)
	if err != nil {
		return err
	}
	h := sha256.New()
	var queries []string
	if len(pk) == 0 {
		queries = []string{fmt.Sprintf("SELECT * FROM %s LIMIT %d", name, 2*SampleRows)}
	} else {
		var asc, desc []string
		for _, col := range pk {
			asc = append(asc, mysqlkit.Quote(col))
			desc = append(desc, mysqlkit.Quote(col)+" DESC")
		}
		queries = []string{
			fmt.Sprintf("SELECT * FROM %s ORDER BY %s LIMIT %d", name, strings.Join(asc, ", "), SampleRows),
			fmt.Sprintf("SELECT * FROM %s ORDER BY %s LIMIT %d", name, strings.Join(desc, ", "), SampleRows),
		}
	}
	for _, q := range queries {
		if err := hashRows(ctx, db, q, h); err != nil {
			return fmt.Errorf("sample %s.%s: %w", c.Schema, c.Table, err)
		}
	}
	c.Sample = hex.EncodeToString(h.Sum(nil)[:16])
	return nil
}

func primaryKey(ctx context.Context, db *sql.DB, schema, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT COLUMN_NAME FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX`, schema, table)
	if err != nil {
		return nil, fmt.Errorf("primary key of %s.%s: %w", schema, table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

type writer interface{ Write([]byte) (int, error) }

func hashRows(ctx context.Context, db *sql.DB, q string, h writer) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for _, v := range vals {
			switch x := v.(type) {
			case nil:
				fmt.Fprint(h, "\x00N")
			case []byte:
				fmt.Fprintf(h, "\x00%d:%s", len(x), x)
			default:
				fmt.Fprintf(h, "\x00%T:%v", x, x)
			}
		}
		fmt.Fprint(h, "\n")
	}
	return rows.Err()
}

// compareChecks lists how got differs from want ("" when equal).
func compareChecks(want, got []TableCheck) string {
	index := map[string]TableCheck{}
	for _, c := range got {
		index[c.Schema+"."+c.Table] = c
	}
	var diffs []string
	for _, w := range want {
		g, ok := index[w.Schema+"."+w.Table]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s.%s is missing", w.Schema, w.Table))
		case g.Rows != w.Rows:
			diffs = append(diffs, fmt.Sprintf("%s.%s holds %d rows, the manifest says %d", w.Schema, w.Table, g.Rows, w.Rows))
		case g.Sample != w.Sample:
			diffs = append(diffs, fmt.Sprintf("%s.%s: its sample rows differ from the manifest's checksum", w.Schema, w.Table))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}

// FileSettings are the server variables that shape a datadir's files; an
// entry's are compared with the server started on its copy.
var FileSettings = []string{"innodb_page_size", "innodb_file_per_table", "innodb_default_row_format",
	"character_set_server", "collation_server", "lower_case_table_names", "innodb_checksum_algorithm",
	"explicit_defaults_for_timestamp", "sql_mode", "time_zone"}

// fileSettings reads FileSettings from the server (a variable the server
// does not know is left out).
func fileSettings(ctx context.Context, db *sql.DB) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range FileSettings {
		var val sql.NullString
		err := db.QueryRowContext(ctx, "SELECT @@GLOBAL."+v).Scan(&val)
		if err != nil {
			if mysqlkit.Is(err, mysqlkit.ErrUnknownSystemVariable) {
				continue
			}
			return nil, fmt.Errorf("read @@%s: %w", v, err)
		}
		out[v] = val.String
	}
	return out, nil
}

// compareSettings lists the variables whose values differ ("" when none).
func compareSettings(want, got map[string]string) string {
	var diffs []string
	for k, w := range want {
		if g, ok := got[k]; ok && g != w {
			diffs = append(diffs, fmt.Sprintf("%s is %q on the server, %q in the entry", k, g, w))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}
