package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/snapshot"
)

// rowMaker makes the values the load writes: rows of a datagen model past
// the generated ones. Every table has one counter of new-row indexes,
// shared by all its templates (and by a replay check that runs beside the
// load), so no two statements write the same new row and unique keys
// never collide. It also remembers the keys the load deleted, so a new
// row's foreign key does not name a parent row that is gone.
type rowMaker struct {
	db   *sql.DB
	data *datagen.Model
	seed uint64

	mu   sync.Mutex
	own  map[string]*datagen.Model // tables outside data: planned from the server
	next map[string]*atomic.Uint64 // schema.table -> next new-row index
	gone goneKeys
}

func newRowMaker(db *sql.DB, data *datagen.Model, seed uint64) *rowMaker {
	return &rowMaker{db: db, data: data, seed: seed, own: map[string]*datagen.Model{}, next: map[string]*atomic.Uint64{}}
}

// tplRows is one template's part: its row source over the template's
// argument columns, its table's counter, and its foreign keys to check.
type tplRows struct {
	src  *datagen.RowSource
	next *atomic.Uint64
	fks  []fkCheck
}

// fkCheck is one foreign key among a template's arguments: the positions of
// its columns (in the parent key's order) and the parent key's name in
// goneKeys.
type fkCheck struct {
	parent string
	pos    []int
}

// prepare builds the per-template state of tpls.
func (m *rowMaker) prepare(ctx context.Context, tpls []Template) ([]tplRows, error) {
	out := make([]tplRows, len(tpls))
	for i := range tpls {
		t := &tpls[i]
		names := make([]string, len(t.args))
		for j, a := range t.args {
			names[j] = a.name
		}
		src, next, err := m.source(ctx, t, names)
		if err != nil {
			return nil, fmt.Errorf("load: values of %s: %w", t.Name(), err)
		}
		out[i] = tplRows{src: src, next: next, fks: fkChecks(t)}
		for _, c := range out[i].fks {
			m.gone.watch(c.parent)
		}
	}
	return out, nil
}

// source finds the template's table in the model, else plans it from the
// server (once per table).
func (m *rowMaker) source(ctx context.Context, t *Template, cols []string) (*datagen.RowSource, *atomic.Uint64, error) {
	key := t.Schema + "." + t.Table
	src, err := m.data.RowSource(t.Schema, t.Table, cols)
	if errors.Is(err, datagen.ErrNoTable) || m.data == nil {
		var own *datagen.Model
		if own, err = m.ownModel(ctx, t); err == nil {
			src, err = own.RowSource(t.Schema, t.Table, cols)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.next[key]
	if n == nil {
		n = &atomic.Uint64{}
		n.Store(src.First())
		m.next[key] = n
	}
	return src, n, nil
}

// ownModel plans a table the generator was given no model for, as datagen
// would have generated it: its row count is the rows it holds now, and
// its foreign keys reference the keys its parents hold on the server.
// Unique values are then distinct from rows datagen would have made, not
// from rows made some other way.
func (m *rowMaker) ownModel(ctx context.Context, t *Template) (*datagen.Model, error) {
	key := t.Schema + "." + t.Table
	m.mu.Lock()
	own := m.own[key]
	m.mu.Unlock()
	if own != nil {
		return own, nil
	}
	if t.table == nil {
		return nil, fmt.Errorf("no definition of %s", key)
	}
	var rows int64
	if m.db != nil {
		// A table the migration dropped counts as empty.
		_ = m.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+qualified(t.Schema, t.Table)).Scan(&rows)
	}
	snap := &snapshot.Snapshot{Format: snapshot.FormatV1, Settings: map[string]string{},
		Schemas: []snapshot.Schema{{Name: t.Schema, Tables: []snapshot.Table{*t.table}}}}
	o := datagen.Options{Rows: map[string]int64{key: rows}, Seed: m.seed}
	own, err := datagen.NewModel(ctx, m.db, snap, o)
	if err != nil && ctx.Err() == nil {
		// A parent whose keys cannot be read (the migration changed it):
		// plan without the server; those foreign keys are not modelled.
		own, err = datagen.NewModel(ctx, nil, snap, o)
	}
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.own[key] = own
	m.mu.Unlock()
	return own, nil
}

func fkChecks(t *Template) []fkCheck {
	var out []fkCheck
	byParent := map[poolSpec]int{}
	for j, a := range t.args {
		if a.kind != argValue || a.ref.Columns == "" {
			continue
		}
		ci, ok := byParent[a.ref]
		if !ok {
			ci = len(out)
			byParent[a.ref] = ci
			out = append(out, fkCheck{parent: goneName(a.ref), pos: make([]int, len(a.ref.cols()))})
			for k := range out[ci].pos {
				out[ci].pos[k] = -1
			}
		}
		if a.idx < len(out[ci].pos) {
			out[ci].pos[a.idx] = j
		}
	}
	// A foreign key the statement sets only in part cannot be checked.
	kept := out[:0]
	for _, c := range out {
		complete := true
		for _, p := range c.pos {
			complete = complete && p >= 0
		}
		if complete {
			kept = append(kept, c)
		}
	}
	return kept
}

// values makes one execution's new-row values into args: a fresh row
// index of the table, retried (a few times) while a foreign key names a
// parent row the load deleted.
func (m *rowMaker) values(tr *tplRows, args []any) []any {
	for try := 0; ; try++ {
		args = tr.src.Values(tr.next.Add(1)-1, args[:0])
		if try >= 8 || !m.gone.any() {
			return args
		}
		hit := false
		for _, c := range tr.fks {
			if m.gone.has(c.parent, args, c.pos) {
				hit = true
				break
			}
		}
		if !hit {
			return args
		}
	}
}

// goneKeys are the keys of rows the load deleted, per table and key
// columns — only of the keys some insert's foreign key references (a soak
// deleting from a table nothing references records nothing), and bounded:
// past maxGone keys (a few MB) it stops recording, so memory stays flat on
// a long run; an insert may then name a deleted parent and fail (counted).
type goneKeys struct {
	n       atomic.Int64
	mu      sync.RWMutex
	parents map[string]bool // the keys inserts reference: the ones worth recording
	sets    map[string]map[string]struct{}
}

var maxGone int64 = 1 << 16

// watch says deletions of parent's keys matter: an insert references it.
func (g *goneKeys) watch(parent string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.parents == nil {
		g.parents = map[string]bool{}
	}
	g.parents[parent] = true
}

func goneName(p poolSpec) string {
	return strings.ToLower(p.Schema + "." + p.Table + "(" + p.Columns + ")")
}

func (g *goneKeys) any() bool { return g.n.Load() > 0 }

// add records a deleted row's key.
func (g *goneKeys) add(table string, key []any) {
	if g.n.Load() >= maxGone {
		return
	}
	k, ok := keyString(key, nil)
	if !ok {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.parents[table] {
		return
	}
	if g.sets == nil {
		g.sets = map[string]map[string]struct{}{}
	}
	s := g.sets[table]
	if s == nil {
		s = map[string]struct{}{}
		g.sets[table] = s
	}
	if _, dup := s[k]; !dup {
		s[k] = struct{}{}
		g.n.Add(1)
	}
}

// has reports whether the key at positions pos of args was deleted.
func (g *goneKeys) has(table string, args []any, pos []int) bool {
	g.mu.RLock()
	s := g.sets[table]
	g.mu.RUnlock()
	if len(s) == 0 {
		return false
	}
	k, ok := keyString(args, pos)
	if !ok {
		return false
	}
	g.mu.RLock()
	_, hit := s[k]
	g.mu.RUnlock()
	return hit
}

// keyString renders a key the same way whether its values came from the
// server (int64, []byte) or from datagen (int64, uint64, string); false
// when a part is NULL (such a key names no row). pos selects elements of
// vals (nil: all, in order).
func keyString(vals []any, pos []int) (string, bool) {
	n := len(vals)
	if pos != nil {
		n = len(pos)
	}
	var b []byte
	for i := 0; i < n; i++ {
		v := vals[i]
		if pos != nil {
			v = vals[pos[i]]
		}
		if i > 0 {
			b = append(b, 0x1f)
		}
		switch x := v.(type) {
		case nil:
			return "", false
		case []byte:
			b = append(b, x...)
		case string:
			b = append(b, x...)
		case int64:
			b = strconv.AppendInt(b, x, 10)
		case uint64:
			b = strconv.AppendUint(b, x, 10)
		case int:
			b = strconv.AppendInt(b, int64(x), 10)
		case float64:
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		case time.Time:
			b = x.AppendFormat(b, "2006-01-02 15:04:05.999999")
		default:
			b = fmt.Append(b, x)
		}
	}
	return string(b), true
}
