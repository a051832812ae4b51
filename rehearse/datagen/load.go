package datagen

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// sessionSQL prepares a load connection: checks off when construction
// guarantees what they check, UTC so TIMESTAMP values are taken as written,
// strict mode so a bad value is an error rather than a silent change.
func sessionSQL(p *tablePlan) []string {
	unique, fk := "0", "0"
	if len(p.uniqueRisk) > 0 {
		unique = "1" // the server must catch the duplicates we could not rule out
	}
	if checksOn { // measurement only: what turning the checks off buys
		unique, fk = "1", "1"
	}
	return []string{
		"SET SESSION foreign_key_checks=" + fk,
		"SET SESSION unique_checks=" + unique,
		"SET SESSION time_zone='+00:00'",
		"SET SESSION sql_mode='STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO'",
	}
}

// checksOn keeps unique and foreign-key checks on during the load (set by
// the benchmark to measure what turning them off buys).
var checksOn bool

var readerSeq atomic.Int64

// loadData streams the table through LOAD DATA LOCAL INFILE 'Reader::...'.
func loadData(ctx context.Context, conn *sql.Conn, p *tablePlan, r *rowReader) (int64, error) {
	name := fmt.Sprintf("rehearse-datagen-%d", readerSeq.Add(1))
	mysql.RegisterReaderHandler(name, func() io.Reader { return r })
	defer mysql.DeregisterReaderHandler(name)
	var cols, sets []string
	for i, lc := range r.cols {
		cp := p.cols[lc.idx]
		if lc.expr == "" {
			cols = append(cols, mysqlkit.Quote(cp.col.Name))
			continue
		}
		v := fmt.Sprintf("@v%d", i)
		cols = append(cols, v)
		sets = append(sets, mysqlkit.Quote(cp.col.Name)+" = "+strings.Replace(lc.expr, "?", v, 1))
	}
	ignore := ""
	if len(p.uniqueRisk) > 0 || len(p.checkRisk) > 0 {
		ignore = " IGNORE"
	}
	q := fmt.Sprintf("LOAD DATA LOCAL INFILE 'Reader::%s'%s INTO TABLE %s.%s CHARACTER SET binary "+
		"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (%s)",
		name, ignore, mysqlkit.Quote(p.db), mysqlkit.Quote(p.name), strings.Join(cols, ", "))
	if len(sets) > 0 {
		q += " SET " + strings.Join(sets, ", ")
	}
	res, err := conn.ExecContext(ctx, q)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// insertRows is the fallback when the server refuses LOCAL INFILE: multi-row
// INSERTs of about batchBytes each, in one transaction (MariaDB's bulk
// insert into an empty table applies to the whole transaction).
func insertRows(ctx context.Context, conn *sql.Conn, p *tablePlan, r *rowReader, batchBytes int) (int64, error) {
	var cols []string
	for _, lc := range r.cols {
		cols = append(cols, mysqlkit.Quote(p.cols[lc.idx].col.Name))
	}
	verb := "INSERT"
	if len(p.uniqueRisk) > 0 || len(p.checkRisk) > 0 {
		verb = "INSERT IGNORE"
	}
	head := fmt.Sprintf("%s INTO %s.%s (%s) VALUES ", verb, mysqlkit.Quote(p.db), mysqlkit.Quote(p.name), strings.Join(cols, ", "))
	if _, err := conn.ExecContext(ctx, "START TRANSACTION"); err != nil {
		return 0, err
	}
	var total int64
	buf := make([]byte, 0, batchBytes+64<<10)
	for r.next < r.end {
		if err := ctx.Err(); err != nil {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
			return total, err
		}
		buf = append(buf[:0], head...)
		start := r.next
		for first := true; r.next < r.end && len(buf) < batchBytes; first = false {
			if !first {
				buf = append(buf, ',')
			}
			buf = r.appendInsertRow(buf, r.next)
			r.next++
		}
		res, err := conn.ExecContext(ctx, string(buf))
		if err != nil {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
		if r.sent != nil {
			r.sent.Add(int64(r.next - start))
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return total, err
	}
	return total, nil
}

// warnings returns the count and the first few warnings of the last
// statement on conn.
func warnings(ctx context.Context, conn *sql.Conn) (int, []string) {
	var n int
	if err := conn.QueryRowContext(ctx, "SHOW COUNT(*) WARNINGS").Scan(&n); err != nil || n == 0 {
		return 0, nil
	}
	rows, err := conn.QueryContext(ctx, "SHOW WARNINGS LIMIT 3")
	if err != nil {
		return n, nil
	}
	var out []string
	for rows.Next() {
		var level, msg string
		var code int
		if rows.Scan(&level, &code, &msg) == nil {
			out = append(out, fmt.Sprintf("%s %d: %s", level, code, msg))
		}
	}
	rows.Close()
	return n, out
}

// localInfile reports whether the server accepts LOAD DATA LOCAL.
func localInfile(ctx context.Context, db *sql.DB) (bool, error) {
	var v string
	if err := db.QueryRowContext(ctx, "SELECT @@GLOBAL.local_infile").Scan(&v); err != nil {
		return false, fmt.Errorf("read local_infile: %w", err)
	}
	v = strings.ToUpper(v)
	return v == "1" || v == "ON", nil
}
