package datagen

import "strconv"

// Rows past the generated ones ("fresh" rows, row index i >= rows): what a
// load inserting into a generated table needs. They follow the same plan
// (null shares, distinct counts, ranges, lengths), and:
//
//   - a unique column's key is past every generated key, and its domain is
//     extended (extended below) so that such keys give values distinct from
//     all generated values and from each other;
//   - a composite unique key grows one plain digit past its size (every
//     other digit cycles), or, when every digit is a foreign key, takes the
//     tuple indexes the generated rows left between theirs;
//   - a foreign key picks among the parent's generated rows, as the
//     generated children do; a one-to-one foreign key takes parent rows no
//     generated child took.
//
// Past a column's room (a TINYINT key after 255 new rows, a CHAR(2) key
// after 1,296) values repeat and the server refuses the duplicates, as it
// would the application's.

// freshDigits sets the digits of a composite key for row i >= n.
func (t *tupleInst) freshDigits(i uint64) {
	j := i - min(i, t.n)
	sizes := t.plan.sizes
	if t.ext >= 0 {
		for d := len(t.digits) - 1; d >= 0; d-- {
			if d == t.ext {
				continue
			}
			t.digits[d] = j % sizes[d]
			j /= sizes[d]
		}
		t.digits[t.ext] = sizes[t.ext] + j
		return
	}
	q := t.gapIndex(j)
	if !t.plan.monotonic {
		t.shearDigits(q)
		return
	}
	for d := len(t.digits) - 1; d >= 0; d-- {
		t.digits[d] = q % sizes[d]
		q /= sizes[d]
	}
}

// gapIndex is the j-th tuple index no generated row took: a primary key's
// generated rows take q = x·P/n (x < n), so when P > n the indexes between
// two of them are free; another key's take q < n.
func (t *tupleInst) gapIndex(j uint64) uint64 {
	pr, n := t.plan.product, t.n
	if pr == 0 {
		return 0
	}
	if n == 0 {
		return j % pr
	}
	if pr <= n {
		return j % pr // every index is taken: repeats
	}
	if !t.plan.monotonic {
		return (n + j) % pr // generated rows take q < n (shearDigits); past P, repeats
	}
	x, o := j%n, 1+j/n
	q := mulDiv(x, pr, n) + o
	if q >= mulDiv(x+1, pr, n) {
		return q % pr // this gap is full: repeats
	}
	return q
}

// extDigit picks the digit of a composite key that grows for fresh rows: the
// plain column digit with the most room past its size; -1 when there is
// none (every digit a foreign key, or ENUM/SET/list columns, or full ones).
func (p *tablePlan) extDigit(tp *tuplePlan) int {
	best, room := -1, uint64(0)
	for d, cols := range tp.cols {
		if tp.fks[d] != nil {
			continue
		}
		if e := p.cols[cols[0]].extended(); e != nil && e.room > room {
			best, room = d, e.room
		}
	}
	return best
}

// extended is the column's domain for keys past cp.d: keys below cp.d give
// the generated values, keys from cp.d on give values distinct from all of
// them and from each other, for room keys (then they repeat). Nil when the
// domain cannot grow (ENUM, SET, IN lists, value pools, words).
func (cp *colPlan) extended() *extDomain {
	e := &extDomain{base: cp.dom, d: cp.d}
	switch d := cp.raw.(type) {
	case *numDomain:
		m := newNumMore(d, cp)
		e.more, e.room = m, m.above+m.below
		if g := newNumGaps(d, cp.d, m); g != nil && cp.role == rolePlain {
			// A key-like column's new values stay within its range while
			// there is room between the generated ones (its statistics'
			// min and max); a unique key's new values are new ids and
			// later dates, past the range.
			e.more, e.room = g, max(g.inside, g.inside+e.room) // saturates
		}
	case *compactDomain:
		m := &widerMore{value0: d.value, valueW: d.valueWidth, base: 36, maxLen: d.maxLen, limit: power(36, d.width),
			noWider: cp.prefix > 0 && cp.prefix <= int64(d.width), safeValue: true}
		e.more, e.room = m, roomPast(m.limit, cp.d)
		if !m.noWider {
			e.room = roomPast(power(36, int(d.maxLen)), cp.d)
		}
	case *hexDomain:
		e.more = &widerMore{value0: d.value, valueW: d.valueWidth, base: 16, maxLen: d.maxLen, limit: power(16, d.width), safeValue: true}
		e.room = roomPast(power(16, int(d.maxLen)), cp.d)
	case *binDomain:
		e.more = &widerMore{value0: d.value, valueW: d.valueWidth, base: 256, maxLen: d.maxLen, limit: power(256, d.width)}
		e.room = roomPast(power(256, int(d.maxLen)), cp.d)
	case *stemDomain:
		e.more, e.room = &stemMore{s: d}, roomPast(power(10, int(d.maxLen)), cp.d)
	case *uuidDomain, *jsonDomain, *geoDomain:
		e.more, e.room = d, capLimit // any key gives a distinct value
	case *poolDomain:
		if d.free == 0 {
			return nil // not a key-like column's pool: truncated values may repeat
		}
		e.more, e.room = d, roomPast(d.free, cp.d)
	default:
		return nil
	}
	return e
}

func roomPast(capacity, d uint64) uint64 {
	if capacity <= d {
		return 0
	}
	return capacity - d
}

func power(b uint64, n int) uint64 {
	p := uint64(1)
	for i := 0; i < n && p < capLimit; i++ {
		p = satMul(p, b)
	}
	return p
}

// extDomain is a domain with keys past d.
type extDomain struct {
	base, more domain
	d          uint64
	room       uint64 // keys past d that give new values
}

func (e *extDomain) value(dst []byte, k uint64) []byte {
	if k < e.d {
		return e.base.value(dst, k)
	}
	return e.more.value(dst, k)
}
func (e *extDomain) safe() bool { return e.base.safe() && e.more.safe() }

// numMore puts keys past d in the type's range outside the generated one:
// ascending above its maximum (new ids, later dates), then descending below
// its minimum. CHECK bounds count as the type's.
type numMore struct {
	n            *numDomain
	d            uint64
	top          uint64 // first value above the generated range
	above, below uint64 // free values above and below it
}

func newNumMore(n *numDomain, cp *colPlan) *numMore {
	m := &numMore{n: n, d: cp.d}
	if n.span == ^uint64(0) {
		return m // the whole 64-bit range is generated
	}
	last := n.lo + n.span
	m.top = last + 1
	if cp.tg.unsigned {
		_, _, _, uhi, _ := typeLimits(cp.t)
		if uhi > last {
			m.above = uhi - last
		}
		m.below = n.lo
		return m
	}
	lo, hi := cp.tg.limits(cp.t)
	if int64(last) < hi {
		m.above = uint64(hi) - last
	}
	if int64(n.lo) > lo {
		m.below = n.lo - uint64(lo)
	}
	return m
}

func (m *numMore) value(dst []byte, k uint64) []byte {
	j := k - m.d
	var v uint64
	switch {
	case j < m.above:
		v = m.top + j
	case j-m.above < m.below:
		v = m.n.lo - 1 - (j - m.above)
	case m.above > 0: // no room left: repeats
		v = m.top + (j-m.above-m.below)%m.above
	case m.n.span == ^uint64(0):
		v = m.n.lo + j
	default:
		v = m.n.lo + j%(m.n.span+1)
	}
	return m.n.format(dst, v)
}
func (m *numMore) safe() bool { return true }

// numGaps puts keys past d between the generated values: key k < d has its
// bucket [k·step, (k+1)·step) and one jittered point in it; key d + x takes
// bucket x mod d at the (x div d + 1)-th point after the generated one, for
// inside = d·(step−1) keys; then keys continue as numMore's.
type numGaps struct {
	n      *numDomain
	d      uint64
	inside uint64
	more   *numMore
}

// newNumGaps is nil when the generated values leave no gap (dense keys).
func newNumGaps(n *numDomain, d uint64, more *numMore) *numGaps {
	if !n.jitter || n.step < 2 || n.span == ^uint64(0) || d == 0 || satMul(d, n.step)-1 > n.span {
		return nil
	}
	return &numGaps{n: n, d: d, inside: satMul(d, n.step-1), more: more}
}

func (g *numGaps) value(dst []byte, k uint64) []byte {
	x := k - g.d
	if x >= g.inside {
		return g.more.value(dst, k-g.inside)
	}
	b, r := x%g.d, 1+x/g.d
	o := (below(hash2(g.n.seed, b), g.n.step) + r) % g.n.step
	return g.n.format(dst, g.n.lo+b*g.n.step+o)
}
func (g *numGaps) safe() bool { return true }

// widerMore continues a fixed-width key domain (base-36 compact, hex,
// binary) past the generated keys: keys below base^width keep the width;
// wider keys are longer than every generated key. For compact keys the
// generated value's character after the key is a space or the end, so a
// wider key differs within any prefix index wider than the key; for hex
// and binary the random tail of a generated value would have to equal the
// wider key's digits and its own tail for two values to meet (one chance
// in 16^tail or 256^tail). noWider: a unique index prefix as wide as the
// key leaves no room for wider keys; keys then wrap.
type widerMore struct {
	value0    func(dst []byte, k uint64) []byte        // the domain's value at its own width
	valueW    func(dst []byte, k uint64, w int) []byte // the domain's value at width w
	base      uint64
	maxLen    int64
	limit     uint64
	noWider   bool
	safeValue bool
}

func (m *widerMore) value(dst []byte, k uint64) []byte {
	if k < m.limit {
		return m.value0(dst, k)
	}
	w := widthFor(k+1, m.base)
	if m.noWider || int64(w) > m.maxLen {
		return m.value0(dst, k%m.limit)
	}
	return m.valueW(dst, k, w)
}
func (m *widerMore) safe() bool { return m.safeValue }

// stemMore: stem + decimal(key) + tail as stemDomain, with the stem and then
// the tail shortened when the longer number would not fit. The digit run
// alone names the key (stems and tails hold no digits), so shortening keeps
// values distinct.
type stemMore struct{ s *stemDomain }

func (m *stemMore) value(dst []byte, k uint64) []byte {
	s := m.s
	i := k % uint64(len(s.stems))
	stem, tail := s.stems[i], s.tails[i]
	digits := int64(len(strconv.FormatUint(k, 10)))
	if int64(len(stem)+len(tail))+digits <= s.maxLen {
		return s.value(dst, k)
	}
	room := s.maxLen - digits
	if room < 0 {
		return s.value(dst, k%uint64(len(s.stems))) // no room: repeats a generated value
	}
	tail = tail[:min(int64(len(tail)), room)]
	room -= int64(len(tail))
	stem = stem[:min(int64(len(stem)), room)]
	dst = append(dst, stem...)
	dst = strconv.AppendUint(dst, k, 10)
	return append(dst, tail...)
}
func (m *stemMore) safe() bool { return m.s.plain }
