package load

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// keyPool holds existing key tuples of one table's columns, sampled at
// start and kept current with the generator's own inserts and deletes. Its
// size is bounded: when full, a new key replaces a random old one, so a
// long run keeps flat memory.
type keyPool struct {
	spec poolSpec
	max  int

	mu   sync.Mutex
	keys [][]any
}

// sample fills the pool from the table. With an integer-led index it
// probes random ranges so the keys spread over the table; otherwise it
// takes the first rows the server returns.
func (p *keyPool) sample(ctx context.Context, db *sql.DB, r *rand.Rand) error {
	cols := p.spec.cols()
	sel := "SELECT " + quoteList(cols) + " FROM " + qualified(p.spec.Schema, p.spec.Table)
	if !p.spec.IntFirst {
		return p.scan(ctx, db, fmt.Sprintf("%s LIMIT %d", sel, p.max))
	}
	var lo, hi sql.NullInt64
	q := fmt.Sprintf("SELECT MIN(%s), MAX(%s) FROM %s", mysqlkit.Quote(cols[0]), mysqlkit.Quote(cols[0]), qualified(p.spec.Schema, p.spec.Table))
	if err := db.QueryRowContext(ctx, q).Scan(&lo, &hi); err != nil {
		return fmt.Errorf("sample keys of %s.%s: %w", p.spec.Schema, p.spec.Table, err)
	}
	if !lo.Valid {
		return nil // empty table
	}
	const probes = 20
	per := p.max/probes + 1
	for i := 0; i < probes && len(p.keys) < p.max; i++ {
		start := lo.Int64
		if hi.Int64 > lo.Int64 {
			start += r.Int64N(hi.Int64 - lo.Int64 + 1)
		}
		q := fmt.Sprintf("%s WHERE %s >= %d ORDER BY %s LIMIT %d", sel, mysqlkit.Quote(cols[0]), start, mysqlkit.Quote(cols[0]), per)
		if err := p.scan(ctx, db, q); err != nil {
			return err
		}
	}
	return nil
}

func (p *keyPool) scan(ctx context.Context, db *sql.DB, q string) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("sample keys of %s.%s: %w", p.spec.Schema, p.spec.Table, err)
	}
	defer rows.Close()
	n := len(strings.Split(p.spec.Columns, ","))
	for rows.Next() && len(p.keys) < p.max {
		k := make([]any, n)
		ptrs := make([]any, n)
		for i := range k {
			ptrs[i] = &k[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		p.keys = append(p.keys, k)
	}
	return rows.Err()
}

// get returns a random key, or nil when the pool is empty. With take the
// key leaves the pool (a delete will remove its row).
func (p *keyPool) get(r *rand.Rand, take bool) []any {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.keys)
	if n == 0 {
		return nil
	}
	i := r.IntN(n)
	k := p.keys[i]
	if take {
		p.keys[i] = p.keys[n-1]
		p.keys[n-1] = nil
		p.keys = p.keys[:n-1]
	}
	return k
}

// add records a key that now exists.
func (p *keyPool) add(r *rand.Rand, k []any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.keys) < p.max {
		p.keys = append(p.keys, k)
		return
	}
	p.keys[r.IntN(len(p.keys))] = k
}
