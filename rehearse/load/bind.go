package load

import (
	"database/sql"
	"math/rand/v2"
)

// bind makes the arguments of one execution of t: generated values,
// a key drawn from the table's pool (taken out of it for a delete), and
// keys of foreign-key parents. With no existing key it binds a generated
// value, which matches no row: the statement still runs and locks.
func (g *Generator) bind(t *Template, r *rand.Rand) []any {
	args := make([]any, len(t.args))
	var key []any
	if t.pool.Columns != "" {
		if p := g.pools[t.pool]; p != nil {
			key = p.get(r, t.Kind == Delete)
		}
	}
	seq := g.seq.Add(1)
	var refs []refDraw
	for i, a := range t.args {
		switch a.kind {
		case argKey:
			if key != nil && a.idx < len(key) {
				args[i] = key[a.idx]
				continue
			}
		case argRef:
			if v, ok := g.refValue(&refs, a, r); ok {
				args[i] = v
				continue
			}
		}
		if a.col == nil {
			args[i] = 0
			continue
		}
		args[i] = valueFor(a.col, r, a.unique, g.salt, seq)
	}
	return args
}

type refDraw struct {
	spec poolSpec
	key  []any
}

// refValue draws one parent key per foreign key and execution, so a
// composite foreign key gets a consistent tuple.
func (g *Generator) refValue(refs *[]refDraw, a arg, r *rand.Rand) (any, bool) {
	for _, d := range *refs {
		if d.spec == a.ref {
			if d.key == nil || a.idx >= len(d.key) {
				return nil, false
			}
			return d.key[a.idx], true
		}
	}
	var k []any
	if p := g.pools[a.ref]; p != nil {
		k = p.get(r, false)
	}
	*refs = append(*refs, refDraw{spec: a.ref, key: k})
	if k == nil || a.idx >= len(k) {
		return nil, false
	}
	return k[a.idx], true
}

// learnKey adds the key of a freshly inserted row to its table's pool.
func (g *Generator) learnKey(t *Template, args []any, res sql.Result, r *rand.Rand) {
	p := g.pools[t.insertPool]
	if p == nil {
		return
	}
	switch {
	case t.autoInc:
		if id, err := res.LastInsertId(); err == nil && id > 0 {
			p.add(r, []any{id})
		}
	case t.newKey != nil:
		k := make([]any, len(t.newKey))
		for i, ai := range t.newKey {
			k[i] = args[ai]
		}
		p.add(r, k)
	}
}
