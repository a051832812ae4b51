package datagen

import (
	"math"
	"strings"

	"github.com/rehearse/rehearse/snapshot"
)

// Release-aware statistics (snapshot field `literals`, rehearse snapshot
// --migrations): production's counts for the literals the pending
// release's DML compares columns to. The literals come from the migration
// files; only counts come from production. The generator honours them:
//
//   - a literal with production's share of rows: rows [0, m₁) of the table
//     hold the column's first literal, [m₁, m₁+m₂) its second, and so on
//     (every column's blocks start at row 0, so literals of two columns of
//     one table fall on the same rows, as a release's conjunctions
//     `a = 'x' AND b = 'y'` usually find them); the other rows keep their
//     generated values;
//   - a foreign key referencing the table draws its children's parents
//     from the rows holding each literal and from the others in the
//     recorded proportion (by the child's non-NULL ordinal: deterministic).
//     Of the parent's columns with literals, the one whose references are
//     the most unlike its rows (Σ |children share − rows share|) decides.
//
// Only plain columns and plain digits of a composite unique key take
// literals (a single-column unique key cannot hold a value twice); a digit
// does when the key stays unique without it, else the key is loaded with
// unique checks on.

// litBlock: rows [lo, hi) hold value.
type litBlock struct {
	lo, hi uint64
	value  []byte
}

// litGen puts the column's literals on their rows, the generated values
// elsewhere.
type litGen struct {
	blocks []litBlock
	inner  colGen
}

func (g *litGen) gen(dst []byte, i uint64) ([]byte, bool) {
	for _, b := range g.blocks {
		if i >= b.lo && i < b.hi {
			return append(dst, b.value...), false
		}
	}
	return g.inner.gen(dst, i)
}

// fkGroup: children whose non-NULL ordinal is below upto (and at or above
// the previous group's) reference parent rows [lo, hi).
type fkGroup struct {
	lo, hi uint64
	upto   uint64
}

// pickGroup maps the child's non-NULL ordinal j to a parent row.
func (pl *fkPlan) pickGroup(j, i uint64) uint64 {
	start := uint64(0)
	for _, g := range pl.groups {
		if j < g.upto || g.upto == math.MaxUint64 {
			m := g.hi - g.lo
			t := j - start
			if t >= m {
				t = below(hash2(pl.seed, i), m)
			}
			return g.lo + t
		}
		start = g.upto
	}
	return j % pl.np
}

// scaled is production's count n for a table of src rows, scaled to rows.
func scaled(n, src int64, rows uint64) uint64 {
	if n <= 0 || src <= 0 {
		return 0
	}
	return min(rows, uint64(math.Round(float64(n)*float64(rows)/float64(src))))
}

// applyLiterals sets the literal blocks and foreign-key groups of plans
// from snap.Literals (a no-op without them).
func applyLiterals(plans []*tablePlan, snap *snapshot.Snapshot) {
	if len(snap.Literals) == 0 {
		return
	}
	byName := map[string]*tablePlan{}
	for _, p := range plans {
		byName[strings.ToLower(p.qname())] = p
	}
	type colLits struct {
		p     *tablePlan
		c     int
		stats []*snapshot.LiteralStats
	}
	var cols []*colLits
	byCol := map[string]*colLits{}
	for i := range snap.Literals {
		l := &snap.Literals[i]
		p := byName[strings.ToLower(l.Schema+"."+l.Table)]
		if p == nil || l.Value == nil {
			continue // NULL: the column's null fraction already says it
		}
		c := p.colIndex(l.Column)
		if c < 0 {
			continue
		}
		key := strings.ToLower(p.qname() + "." + l.Column)
		if byCol[key] == nil {
			byCol[key] = &colLits{p: p, c: c}
			cols = append(cols, byCol[key])
		}
		byCol[key].stats = append(byCol[key].stats, l)
	}
	// Blocks.
	ends := map[*colLits]uint64{}
	for _, cl := range cols {
		p, cp := cl.p, cl.p.cols[cl.c]
		if cp.role != rolePlain && !(cp.role == roleDigit && cp.fk == nil) {
			continue
		}
		var blocks []litBlock
		at := uint64(0)
		for _, l := range cl.stats {
			m := scaled(l.Rows, p.srcRows, p.rows)
			if m == 0 || at >= p.rows {
				continue
			}
			m = min(m, p.rows-at)
			blocks = append(blocks, litBlock{lo: at, hi: at + m, value: []byte(*l.Value)})
			at += m
		}
		if len(blocks) == 0 {
			continue
		}
		cp.lits, ends[cl] = blocks, at
		if cp.role == roleDigit {
			tp := cp.tuple
			if tp.monotonic || tp.order[0] == cp.digit || tp.sizes[tp.order[0]] < p.rows {
				p.uniqueRisk = append(p.uniqueRisk, tp.key+" (column "+cp.col.Name+" holds the release's literals)")
			}
		}
		p.notef("column %s: %d of %d rows hold the release's literals, as production's share", cp.col.Name, at, p.rows)
	}
	// Foreign-key groups: per foreign key, the parent column whose
	// references are the most unlike its rows.
	for _, child := range plans {
		for _, f := range child.fks {
			if f.parent == nil || f.unique || f.seq || f.inTuple || f.np == 0 {
				continue
			}
			var best *colLits
			bestDev := -1.0
			var bestRefs []int64
			childSrc := child.srcRows
			for _, cl := range cols {
				if cl.p != f.parent || ends[cl] == 0 {
					continue
				}
				refs := make([]int64, len(cl.stats))
				dev, found := 0.0, false
				for k, l := range cl.stats {
					for _, r := range l.ReferencedBy {
						if strings.EqualFold(r.Schema, child.schema) && strings.EqualFold(r.Table, child.name) && r.ForeignKey == f.fk.Name {
							refs[k], found = r.Rows, true
						}
					}
					if childSrc > 0 && cl.p.srcRows > 0 {
						dev += math.Abs(float64(refs[k])/float64(childSrc) - float64(l.Rows)/float64(cl.p.srcRows))
					}
				}
				if found && dev > bestDev {
					best, bestDev, bestRefs = cl, dev, refs
				}
			}
			if best == nil {
				continue
			}
			blocks := best.p.cols[best.c].lits
			nn := nonNull(child.rows, f.nullFrac)
			var groups []fkGroup
			upto := uint64(0)
			bi := 0
			for k, l := range best.stats {
				if scaled(l.Rows, best.p.srcRows, best.p.rows) == 0 || bi >= len(blocks) {
					continue
				}
				b := blocks[bi]
				bi++
				n := scaled(bestRefs[k], childSrc, nn)
				if n == 0 {
					continue
				}
				upto = min(nn, upto+n)
				groups = append(groups, fkGroup{lo: b.lo, hi: b.hi, upto: upto})
			}
			end := ends[best]
			rest := fkGroup{lo: end, hi: f.np, upto: math.MaxUint64}
			if end >= f.np {
				rest.lo = 0
			}
			f.groups = append(groups, rest)
			child.notef("foreign key %s: children reference the parent's rows holding the release's literals in production's proportion (%d of %d)", f.fk.Name, upto, nn)
		}
	}
}
