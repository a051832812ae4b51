package datagen

// domain turns a key k in [0, d) into a column value. Contract: distinct keys
// give values that are distinct under the column's collation (what makes
// unique keys hold by construction and distinct counts exact); the value
// depends on k alone (what makes generation deterministic and lets a child
// table recompute its parent's key values).
type domain interface {
	// value appends the raw value (unescaped) for key k.
	value(dst []byte, k uint64) []byte
	// safe reports that values never need escaping (digits, dates, ...).
	safe() bool
}

// numDomain spreads d keys over [lo, lo+span] (in the type's units: integers,
// decimal units of 10^-scale, days, seconds×10^fsp, ...). Key k gets its own
// bucket of width step; jitter picks a point inside the bucket so the values
// do not look evenly spaced. Monotonic in k.
type numDomain struct {
	lo     uint64 // two's complement for signed kinds
	span   uint64
	step   uint64
	jitter bool
	seed   uint64
	format func(dst []byte, v uint64) []byte
}

func newNumDomain(lo, span, d uint64, jitter bool, seed uint64, format func([]byte, uint64) []byte) *numDomain {
	if d == 0 {
		d = 1
	}
	step := span / d
	if span == ^uint64(0) {
		step = (span / d)
	} else if d <= span+1 {
		step = (span + 1) / d
	}
	if step == 0 {
		step = 1
	}
	return &numDomain{lo: lo, span: span, step: step, jitter: jitter && step > 1, seed: seed, format: format}
}

func (n *numDomain) at(k uint64) uint64 {
	off := k * n.step
	if n.jitter {
		off += below(hash2(n.seed, k), n.step)
	}
	if off > n.span {
		off = n.span
	}
	return n.lo + off
}

func (n *numDomain) value(dst []byte, k uint64) []byte { return n.format(dst, n.at(k)) }
func (n *numDomain) safe() bool                        { return true }

// listDomain picks from a fixed list (ENUM members, small realistic sets).
// Members are spread when d < len(list).
type listDomain struct {
	list []string
	d    uint64
}

func (l *listDomain) value(dst []byte, k uint64) []byte {
	n := uint64(len(l.list))
	idx := k
	if l.d > 0 && l.d < n {
		idx = k * n / l.d
	}
	return append(dst, l.list[idx%n]...)
}
func (l *listDomain) safe() bool { return !anyNeedsEscape(l.list) }

// setDomain writes SET values: key k+1 read as a bit mask over the members
// (key 0 is the empty set only when the set may be empty).
type setDomain struct {
	members []string
	d       uint64
}

func (s *setDomain) value(dst []byte, k uint64) []byte {
	full := uint64(1)<<uint(len(s.members)) - 1
	mask := k + 1
	if s.d > 0 && s.d < full {
		mask = k*full/s.d + 1
	}
	first := true
	for i, m := range s.members {
		if mask&(1<<uint(i)) != 0 {
			if !first {
				dst = append(dst, ',')
			}
			dst = append(dst, m...)
			first = false
		}
	}
	return dst
}
func (s *setDomain) safe() bool { return !anyNeedsEscape(s.members) }

// memoDomain holds the values of a small domain, computed once and laid out
// contiguously: a status column with 12 values costs a copy per row, not a
// formatting.
type memoDomain struct {
	data  []byte
	off   []uint32 // value k is data[off[k]:off[k+1]]
	plain bool
}

// memoMax bounds memoised domains (keys and bytes).
const (
	memoMaxKeys  = 1 << 16
	memoMaxBytes = 4 << 20
)

// memoize returns a memoDomain for d keys when they are few enough and the
// domain is not already cheap (numbers format faster than a cache miss).
func memoize(dom domain, d uint64) domain {
	if _, num := dom.(*numDomain); num || d == 0 || d > memoMaxKeys {
		return dom
	}
	m := &memoDomain{off: make([]uint32, 0, d+1), plain: dom.safe()}
	for k := uint64(0); k < d; k++ {
		m.off = append(m.off, uint32(len(m.data)))
		m.data = dom.value(m.data, k)
		if len(m.data) > memoMaxBytes {
			return dom
		}
	}
	m.off = append(m.off, uint32(len(m.data)))
	return m
}

func (m *memoDomain) value(dst []byte, k uint64) []byte {
	k %= uint64(len(m.off) - 1)
	return append(dst, m.data[m.off[k]:m.off[k+1]]...)
}
func (m *memoDomain) safe() bool { return m.plain }
