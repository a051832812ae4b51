package snapshot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// Chunk sizes of countRows: the first chunk, and the bounds the size adapts
// within. Package variables so tests can shorten them.
var (
	firstCountChunk int64 = 10_000
	minCountChunk   int64 = 100
	maxCountChunk   int64 = 5_000_000
)

// countKey is the key a table is counted along: its primary key, else a
// unique index whose columns are all NOT NULL and whole (no prefix, no
// expression), so that key order is the index's order. nil when there is
// none.
func countKey(t *Table) []string {
	notNull := map[string]bool{}
	for _, c := range t.Columns {
		notNull[c.Name] = !c.Nullable
	}
	usable := func(ix Index) []string {
		var cols []string
		for _, c := range ix.Columns {
			if c.Name == "" || c.SubPart > 0 || c.Expression != "" || !notNull[c.Name] {
				return nil
			}
			cols = append(cols, c.Name)
		}
		return cols
	}
	for _, ix := range t.Indexes {
		if ix.Primary && len(ix.Columns) > 0 {
			if k := usable(ix); k != nil {
				return k
			}
		}
	}
	for _, ix := range t.Indexes {
		if ix.Unique && !ix.Primary && ix.Type != "FULLTEXT" && ix.Type != "SPATIAL" {
			if k := usable(ix); k != nil {
				return k
			}
		}
	}
	return nil
}

// countRows counts t's rows exactly without holding its metadata lock
// longer than the budget: in chunks along countKey, each chunk two short
// statements (the chunk's count; the key of its last row into session
// variables, so that no key value leaves the server), with autocommit
// releasing the lock between statements. The chunk size adapts so a
// statement takes about a quarter of the budget; a statement the server
// stops at the budget is retried with a quarter of the chunk. A table
// without such a key is counted in one statement within the budget (a
// timeout error when that is not enough).
func (s *session) countRows(ctx context.Context, schema string, t *Table) (int64, error) {
	tbl := mysqlkit.Qualified(schema, t.Name)
	key := countKey(t)
	if key == nil {
		var n int64
		err := s.conn.QueryRowContext(ctx, s.bounded("SELECT COUNT(*) FROM "+tbl)).Scan(&n)
		return n, err
	}
	cols := make([]string, len(key))
	vars := make([]string, len(key))
	for i, k := range key {
		cols[i] = mysqlkit.Quote(k)
		vars[i] = fmt.Sprintf("@rehearse_k%d", i)
	}
	order := strings.Join(cols, ", ")
	target := s.budget / 4
	chunk := firstCountChunk
	var total int64
	where := "" // the first chunk starts at the beginning
	for {
		start := time.Now()
		var n int64
		q := fmt.Sprintf("SELECT COUNT(*) FROM (SELECT 1 FROM %s%s ORDER BY %s LIMIT %d) AS chunk", tbl, where, order, chunk)
		err := s.conn.QueryRowContext(ctx, s.bounded(q)).Scan(&n)
		if err == nil && n == chunk {
			q = fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT 1 OFFSET %d INTO %s", order, tbl, where, order, chunk-1, strings.Join(vars, ", "))
			_, err = s.conn.ExecContext(ctx, s.bounded(q))
		}
		took := time.Since(start)
		switch {
		case isLockWait(err):
			return 0, err
		case isTimeout(err) && chunk > minCountChunk:
			chunk = max(minCountChunk, chunk/4)
			continue
		case err != nil:
			return 0, err
		}
		total += n
		if n < chunk {
			return total, nil
		}
		where = " WHERE " + after(cols, vars)
		// Two statements took `took`: aim each at a quarter of the budget.
		next := chunk
		if took > 0 {
			next = int64(float64(chunk) * float64(2*target) / float64(took))
		}
		chunk = min(max(next, chunk/2, minCountChunk), chunk*4, maxCountChunk)
	}
}

// after is the condition "key > (vars)" in lexicographic order, written
// with OR so both flavors' range optimizers read it as index ranges.
func after(cols, vars []string) string {
	var terms []string
	for i := range cols {
		var and []string
		for j := 0; j < i; j++ {
			and = append(and, cols[j]+" = "+vars[j])
		}
		and = append(and, cols[i]+" > "+vars[i])
		terms = append(terms, "("+strings.Join(and, " AND ")+")")
	}
	return strings.Join(terms, " OR ")
}
