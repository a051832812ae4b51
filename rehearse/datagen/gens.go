package datagen

import (
	"math"
	"math/bits"
)

// nullSpec spreads NULLs exactly: of the first p positions, before(p) are
// NULL, so a column's null fraction is exact and the non-null positions are
// numbered densely (which keeps distinct counts exact).
type nullSpec struct{ f uint64 } // fraction × 2^32

func newNullSpec(frac float64) nullSpec {
	if frac <= 0 {
		return nullSpec{}
	}
	if frac >= 1 {
		return nullSpec{f: 1 << 32}
	}
	return nullSpec{f: uint64(math.Ceil(frac * (1 << 32)))} // ceil: 0.4 of 1000 rows is 400, not 399
}

func (s nullSpec) before(p uint64) uint64 {
	hi, lo := bits.Mul64(p, s.f)
	return hi<<32 | lo>>32
}

// at returns the non-null ordinal of position p, or null.
func (s nullSpec) at(p uint64) (uint64, bool) {
	if s.f == 0 {
		return p, false
	}
	c0, c1 := s.before(p), s.before(p+1)
	return p - c0, c1 > c0
}

// colGen produces one column's value for a row. A generator keeps state (a
// permutation's fast path, a cached tuple) and belongs to one goroutine.
type colGen interface {
	// gen appends the raw value for row i, or reports NULL.
	gen(dst []byte, i uint64) ([]byte, bool)
}

// tableInst is one table's set of generators. Each load stream has its own;
// a child table evaluating its parents' keys makes its own parent instances.
type tableInst struct {
	p     *tablePlan
	gens  []colGen
	depth int
}

// maxDepth bounds chains of foreign keys through key columns.
const maxDepth = 32

// instance makes generators for the generated rows [0, p.rows).
func (p *tablePlan) instance(depth int) *tableInst { return p.newInstance(depth, false) }

// freshInstance makes generators for rows past the generated ones (row
// indexes from p.rows on): see fresh.go.
func (p *tablePlan) freshInstance() *tableInst { return p.newInstance(0, true) }

func (p *tablePlan) newInstance(depth int, fresh bool) *tableInst {
	in := &tableInst{p: p, gens: make([]colGen, len(p.cols)), depth: depth}
	tuples := map[*tuplePlan]*tupleInst{}
	fks := map[*fkPlan]*fkInst{}
	tupleOf := func(tp *tuplePlan) *tupleInst {
		if t := tuples[tp]; t != nil {
			return t
		}
		t := &tupleInst{plan: tp, n: p.rows, digits: make([]uint64, len(tp.sizes)), perm: newPerm(p.rows, tp.seed), ext: -1}
		if fresh {
			t.fresh, t.ext = true, p.extDigit(tp)
		}
		tuples[tp] = t
		return t
	}
	fkOf := func(f *fkPlan) *fkInst {
		if x := fks[f]; x != nil {
			return x
		}
		x := &fkInst{plan: f, child: p, n: p.rows, depth: depth, perm: newPerm(p.rows, f.seed), fresh: fresh,
			nulls: newNullSpec(f.nullFrac), vals: make([][]byte, len(f.refCols)), isNull: make([]bool, len(f.refCols))}
		fks[f] = x
		return x
	}
	for i, cp := range p.cols {
		switch cp.role {
		case roleSkip:
		case roleFK:
			in.gens[i] = &fkCol{f: fkOf(cp.fk), ref: cp.ref}
		case roleDigit:
			if cp.fk != nil {
				in.gens[i] = &fkCol{f: fkOf(cp.fk), ref: cp.ref, tuple: tupleOf(cp.tuple), digit: cp.digit}
			} else {
				u := tupleOf(cp.tuple)
				var dom domain = cp.dom
				if fresh && u.ext == cp.digit {
					dom = cp.extended()
				}
				in.gens[i] = &digitGen{u: u, digit: cp.digit, dom: dom}
			}
		default:
			var dom domain = cp.dom
			grow := false
			if fresh && (cp.role != rolePlain || cp.tg.keyLike) {
				if ext := cp.extended(); ext != nil {
					dom, grow = ext, cp.role == rolePlain
				}
			}
			in.gens[i] = &plainGen{dom: dom, mode: cp.role, d: cp.d, seed: cp.seed, fresh: fresh, grow: grow,
				n: nonNull(p.rows, cp.tg.nullFrac), nulls: newNullSpec(cp.tg.nullFrac), perm: newPerm(p.rows, cp.seed)}
		}
		if cp.lits != nil && !fresh {
			in.gens[i] = &litGen{blocks: cp.lits, inner: in.gens[i]}
		}
	}
	return in
}

// value appends column col of row r (a parent lookup).
func (in *tableInst) value(dst []byte, col int, r uint64) ([]byte, bool) {
	g := in.gens[col]
	if g == nil {
		return dst, true
	}
	return g.gen(dst, r)
}

// plainGen: rolePlain, roleSeq, roleUnique. A fresh one (rows past the
// generated ones) takes row i's own position instead of a permuted one:
// the null share stays exact over any run of rows, and a unique column's
// key (the non-null ordinal) is past every generated key. A key-like plain
// column's (grow) new rows take keys past the generated ones at the
// generated rate (d keys per n non-null rows: every row a new value when
// the column is all distinct); a category-like one's repeat its d keys.
type plainGen struct {
	dom   domain
	mode  role
	d     uint64
	n     uint64 // non-null generated rows
	seed  uint64
	nulls nullSpec
	perm  perm
	fresh bool
	grow  bool
}

func (g *plainGen) gen(dst []byte, i uint64) ([]byte, bool) {
	if g.mode == roleSeq {
		return g.dom.value(dst, i), false
	}
	p := i
	if !g.fresh {
		p = g.perm.apply(i)
	}
	j, null := g.nulls.at(p)
	if null {
		return dst, true
	}
	k := j
	if k >= g.d {
		switch {
		case g.mode == roleUnique && g.fresh: // a new key: the extended domain's
		case g.mode == roleUnique:
			k %= g.d // unreachable when d = non-null rows
		case g.grow && j >= g.n && g.n > 0:
			k = g.d + mulDiv(j-g.n, g.d, g.n)
		case g.grow:
			k = g.d + j
		default:
			k = below(hash2(g.seed, i), g.d)
		}
	}
	return g.dom.value(dst, k), false
}

// tupleInst computes the digits of a composite key for a row (cached: all
// the key's columns ask for the same row in turn).
type tupleInst struct {
	plan   *tuplePlan
	n      uint64
	perm   perm
	row    uint64
	valid  bool
	digits []uint64
	fresh  bool // rows from n on (fresh.go)
	ext    int  // fresh: the digit that grows past its size (-1: none)
}

func (t *tupleInst) at(i uint64) []uint64 {
	if t.valid && t.row == i {
		return t.digits
	}
	if t.fresh {
		t.freshDigits(i)
		t.row, t.valid = i, true
		return t.digits
	}
	if !t.plan.monotonic {
		t.shearDigits(t.perm.apply(i))
		t.row, t.valid = i, true
		return t.digits
	}
	q := i
	if t.n > 0 && t.plan.product > t.n {
		q = mulDiv(i, t.plan.product, t.n)
	}
	for d := len(t.digits) - 1; d >= 0; d-- {
		s := t.plan.sizes[d]
		t.digits[d] = q % s
		q /= s
	}
	t.row, t.valid = i, true
	return t.digits
}

// shearDigits sets the digits of tuple index q for a key that need not
// ascend: mixed radix in plan.order (largest size least significant), each
// digit shifted by the value of the digits below it, modulo its size. The
// shift depends on lower digits only, so distinct q give distinct tuples;
// and as the digits below a digit hold at least its size, the rows with
// its own mixed-radix digit 0 already give it every value (the old spread
// q = x·P/n left the last digit one value when P/n was a multiple of its
// size: a composite key's username with 1 distinct value of 2,501).
func (t *tupleInst) shearDigits(q uint64) {
	x, below := q, uint64(1)
	for _, d := range t.plan.order {
		s := t.plan.sizes[d]
		a := x % s
		x /= s
		shift := uint64(0)
		if below > 1 {
			shift = (q % below) % s
		}
		t.digits[d] = (a + shift) % s
		below = satMul(below, s)
	}
}

type digitGen struct {
	u     *tupleInst
	digit int
	dom   domain
}

func (g *digitGen) gen(dst []byte, i uint64) ([]byte, bool) {
	return g.dom.value(dst, g.u.at(i)[g.digit]), false
}

// fkInst picks a parent row per child row and fetches the parent's key
// values (cached for the row: a composite foreign key's columns share it).
type fkInst struct {
	plan   *fkPlan
	child  *tablePlan
	n      uint64
	depth  int
	perm   perm
	nulls  nullSpec
	parent *tableInst
	row    uint64
	valid  bool
	null   bool
	vals   [][]byte
	isNull []bool
	fresh  bool // rows from n on: position i itself, parents not yet taken (fresh.go)
}

func (f *fkInst) pick(i uint64) (uint64, bool) {
	pl := f.plan
	if pl.seq {
		return i, false // fresh: parent rows past the generated children (fetch wraps past np)
	}
	p := i
	if !f.fresh {
		p = f.perm.apply(i)
	}
	j, null := f.nulls.at(p)
	if null || pl.np == 0 {
		return 0, true
	}
	if pl.unique {
		return j % pl.np, false
	}
	if len(pl.groups) > 0 && !f.fresh {
		return pl.pickGroup(j, i), false
	}
	k := j
	if k >= pl.d {
		k = below(hash2(pl.seed, i), pl.d)
	}
	return k * pl.np / pl.d, false
}

func (f *fkInst) fetch(r uint64) bool {
	pl := f.plan
	anyNull := false
	if pl.ext != nil {
		row := pl.ext.vals[r%uint64(len(pl.ext.vals))]
		for i := range f.vals {
			f.vals[i] = append(f.vals[i][:0], row[i]...)
			f.isNull[i] = row[i] == nil
			anyNull = anyNull || f.isNull[i]
		}
		return !anyNull
	}
	if f.parent == nil {
		if f.depth >= maxDepth {
			return false
		}
		f.parent = pl.parent.instance(f.depth + 1)
	}
	for i, rc := range pl.refCols {
		f.vals[i], f.isNull[i] = f.parent.value(f.vals[i][:0], rc, r)
		anyNull = anyNull || f.isNull[i]
	}
	return !anyNull
}

func (f *fkInst) at(i uint64, tuple *tupleInst, digit int) {
	if f.valid && f.row == i {
		return
	}
	f.row, f.valid = i, true
	var r uint64
	var null bool
	if tuple != nil {
		r = tuple.at(i)[digit]
	} else {
		r, null = f.pick(i)
	}
	f.null = null
	if null {
		return
	}
	// A parent row whose referenced value is NULL cannot be referenced;
	// move on to the next parent row.
	for try := uint64(0); try < 64 && f.plan.np > 0; try++ {
		if f.fetch((r + try) % f.plan.np) {
			return
		}
	}
	f.null = true
}

type fkCol struct {
	f     *fkInst
	ref   int
	tuple *tupleInst
	digit int
}

func (c *fkCol) gen(dst []byte, i uint64) ([]byte, bool) {
	c.f.at(i, c.tuple, c.digit)
	if c.f.null {
		return dst, true
	}
	return append(dst, c.f.vals[c.ref]...), false
}
