package load

import (
	"database/sql"
	"math/rand/v2"
	"time"
)

// bind makes the arguments of one execution of template ti: the values of
// a new row of the table (inserts, and the columns an update sets: see
// rowMaker), and a key drawn from the table's pool for a lookup (taken out
// of it for a delete). With no existing key the lookup binds the new row's
// values, which match no row: the statement still runs and locks.
func (g *Generator) bind(ti int, r *rand.Rand) []any {
	t := &g.tpls[ti]
	var key []any
	if t.pool.Columns != "" {
		if p := g.pools[t.pool]; p != nil {
			key = p.get(r, t.Kind == Delete)
		}
	}
	args := make([]any, 0, len(t.args))
	if key == nil || t.Kind == Insert || t.Kind == Update {
		args = g.rows.values(&g.trows[ti], args)
	} else {
		args = args[:len(t.args)]
	}
	for i, a := range t.args {
		switch {
		case a.server:
			args[i] = nil // AUTO_INCREMENT, generated column: the server's
		case a.kind == argKey && key != nil && a.idx < len(key):
			args[i] = key[a.idx]
		}
	}
	return args
}

// learnKey adds the key of a freshly inserted row to its table's pool.
func (g *Generator) learnKey(t *Template, args []any, res sql.Result, r *rand.Rand) {
	p := g.pools[t.insertPool]
	if p == nil {
		return
	}
	var k []any
	switch {
	case t.autoInc:
		if id, err := res.LastInsertId(); err == nil && id > 0 {
			k = []any{id}
		}
	case t.newKey != nil:
		k = make([]any, len(t.newKey))
		for i, ai := range t.newKey {
			k[i] = args[ai]
		}
	}
	if k == nil {
		return
	}
	p.add(r, k)
	if g.opts.OnInsert != nil {
		g.opts.OnInsert(t.insertPool.Schema, t.insertPool.Table, t.insertPool.cols(), k, time.Now())
	}
}

// forgetKey records that a delete removed a row: new rows' foreign keys
// stop naming it.
func (g *Generator) forgetKey(t *Template, args []any, res sql.Result) {
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return
	}
	key := make([]any, 0, len(t.args))
	for _, a := range t.args {
		if a.kind == argKey {
			key = append(key, nil)
		}
	}
	for i, a := range t.args {
		if a.kind == argKey && a.idx < len(key) {
			key[a.idx] = args[i]
		}
	}
	g.rows.gone.add(goneName(t.pool), key)
}
