package datagen

import (
	"math"

	"github.com/rehearse/rehearse/snapshot"
)

// Defaults used when the snapshot has no statistics for a column.
var (
	// DefaultNullFraction is the share of NULLs in a nullable column that
	// is not part of a key when the snapshot does not say.
	DefaultNullFraction = 0.1
	// DefaultRows is the row count of every table when the snapshot holds
	// no row count at all (a schema-only snapshot), before Scale.
	DefaultRows int64 = 1000
)

// target is what a column's values should look like: share of NULLs, number
// of distinct non-null values, range (numbers, temporal) and lengths
// (strings).
type target struct {
	nullFrac  float64
	distinct  uint64 // distinct non-null values wanted (>= 1)
	lo, hi    int64  // range in the type's units (signed kinds)
	ulo, uhi  uint64 // range for unsigned 64-bit kinds
	unsigned  bool
	fromStats bool // null fraction and distinct came from the snapshot
	// keyLike: the column's distinct values grow with its rows (its
	// statistics show at least half as many distinct values as non-null
	// rows, or it has none and every value is distinct); else it is
	// category-like (its number of values stays). Decided here, once:
	// a key-like column's values are distinct per key under its
	// collation, as a unique key's are, and rows past the generated ones
	// (RowSource: the load's inserts and updates) take new values at the
	// generated rate where a category-like column repeats its categories.
	keyLike bool
	lengths lengthDist
	// limLo/limHi are CHECK constraint bounds (signed kinds): the range may
	// widen up to them, never past.
	limLo, limHi *int64
}

// sampleRatio is the share of distinct values among the sampled non-null
// rows, when the snapshot has it (SampleDistinct) and it shows duplicates.
func sampleRatio(st *snapshot.ColumnStats) (float64, bool) {
	if st == nil || st.SampleDistinct == nil || st.SampleRows <= 0 {
		return 0, false
	}
	nonNull := math.Round(float64(st.SampleRows) * (1 - clamp01(st.NullFraction)))
	if nonNull <= 0 || float64(*st.SampleDistinct) >= nonNull {
		return 0, false
	}
	return float64(*st.SampleDistinct) / nonNull, true
}

// limits is the widest range allowed: the type's, narrowed by CHECK bounds.
func (tg *target) limits(t colType) (int64, int64) {
	lo, hi, _, _, _ := typeLimits(t)
	if tg.limLo != nil {
		lo = max(lo, *tg.limLo)
	}
	if tg.limHi != nil {
		hi = min(hi, *tg.limHi)
	}
	return lo, hi
}

// columnTarget derives a column's target from its statistics, the index
// cardinalities of its table (fallback) and defaults, for n generated rows
// out of srcRows in the source.
func columnTarget(c *snapshot.Column, t colType, h *hint, tbl *snapshot.Table, n int64, srcRows int64) target {
	var tg target
	st := c.Stats
	if st != nil && st.SampleRows > 0 || st != nil && (st.Distinct > 0 || st.NullFraction > 0) {
		tg.fromStats = true
	}
	// Null fraction.
	switch {
	case !c.Nullable:
		tg.nullFrac = 0
	case tg.fromStats:
		tg.nullFrac = clamp01(st.NullFraction)
	default:
		tg.nullFrac = DefaultNullFraction
	}
	m := float64(n) * (1 - tg.nullFrac)
	// Distinct count: statistics, else the first column of an index's
	// cardinality, else the type's or the name's natural count, else all
	// distinct.
	var srcDistinct float64
	if tg.fromStats && st.Distinct > 0 {
		srcDistinct = float64(st.Distinct)
	} else if card := leadingCardinality(tbl, c.Name); card > 0 {
		srcDistinct = float64(card)
	}
	switch {
	case srcDistinct > 0 && srcRows > 0:
		srcNonNull := float64(srcRows) * (1 - tg.nullFrac)
		ratio := srcDistinct / math.Max(srcNonNull, 1)
		if r, ok := sampleRatio(st); ok && r < ratio {
			// The sample holds duplicates: whatever the whole-table
			// estimate says, the column is not all distinct (a unique
			// index on it fails in production; so must the rehearsal's).
			ratio = r
		}
		if ratio >= 0.5 { // key-like: distinct grows with the table
			tg.distinct = uint64(math.Round(math.Min(ratio, 1) * m))
			tg.keyLike = true
		} else { // category-like: the number of categories stays
			tg.distinct = uint64(math.Min(srcDistinct, m))
		}
	case srcDistinct > 0:
		tg.distinct = uint64(math.Min(srcDistinct, m))
	case t.kind == kEnum:
		tg.distinct = uint64(len(t.members))
	case t.kind == kSet:
		tg.distinct = uint64(min(len(t.members)*2, 64))
	case t.kind == kInt && t.bool1 || t.kind == kBit && t.bits == 1:
		tg.distinct = 2
	case h != nil && h.small > 0:
		tg.distinct = h.small
	default:
		tg.distinct = uint64(m)
		tg.keyLike = true
	}
	if tg.distinct < 1 {
		tg.distinct = 1
	}
	// Range.
	lo, hi, ulo, uhi, unsigned := typeLimits(t)
	tg.unsigned = unsigned
	if unsigned {
		tg.ulo, tg.uhi = ulo, uhi
		if st != nil && st.Min != nil && st.Max != nil {
			a, okA := parseBound(t, *st.Min)
			b, okB := parseBound(t, *st.Max)
			if okA && okB && a >= 0 && b >= a {
				tg.ulo, tg.uhi = uint64(a), min(uint64(b), uhi)
			}
		} else {
			dlo, dhi := defaultRange(t, h)
			tg.ulo, tg.uhi = uint64(max(dlo, 0)), min(uint64(max(dhi, 0)), uhi)
		}
	} else {
		tg.lo, tg.hi = defaultRange(t, h)
		if st != nil && st.Min != nil && st.Max != nil {
			a, okA := parseBound(t, *st.Min)
			b, okB := parseBound(t, *st.Max)
			if okA && okB && b >= a {
				tg.lo, tg.hi = a, b
			}
		}
		if t.kind != kUnknown {
			tg.lo, tg.hi = max(tg.lo, lo), min(tg.hi, hi)
			if tg.hi < tg.lo {
				tg.lo, tg.hi = lo, hi
			}
		}
	}
	// Lengths.
	if t.kind == kChar || t.kind == kBinary {
		var ls *snapshot.LengthStats
		if st != nil {
			ls = st.Length
		}
		tg.lengths, _ = newLengthDist(ls, t, 0, t.maxChars())
	}
	return tg
}

// leadingCardinality is the cardinality of the first index whose first
// column is col (0 if none).
func leadingCardinality(tbl *snapshot.Table, col string) int64 {
	if tbl == nil {
		return 0
	}
	for _, ix := range tbl.Indexes {
		if len(ix.Columns) > 0 && ix.Columns[0].Name == col && ix.Columns[0].Cardinality > 0 {
			if len(ix.Columns) == 1 && (ix.Primary || ix.Unique) {
				return 0 // unique: the row count says it
			}
			return ix.Columns[0].Cardinality
		}
	}
	return 0
}

func clamp01(f float64) float64 { return math.Max(0, math.Min(1, f)) }

// span returns the size of the target range minus one, in units.
func (tg *target) span() uint64 {
	if tg.unsigned {
		return tg.uhi - tg.ulo
	}
	return uint64(tg.hi - tg.lo)
}

func (tg *target) loBits() uint64 {
	if tg.unsigned {
		return tg.ulo
	}
	return uint64(tg.lo)
}

// widen grows the range (within the type's limits) until it holds d
// distinct values; it reports whether it could.
func (tg *target) widen(t colType, d uint64) bool {
	if d == 0 || tg.span() >= d-1 {
		return true
	}
	_, _, _, uhi, unsigned := typeLimits(t)
	lo, hi := tg.limits(t)
	if unsigned {
		need := d - 1
		if uhi-tg.ulo >= need {
			tg.uhi = tg.ulo + need
			return true
		}
		tg.ulo, tg.uhi = 0, uhi
		return uhi >= need
	}
	need := d - 1
	if uint64(hi-tg.lo) >= need {
		tg.hi = tg.lo + int64(need)
		return true
	}
	tg.lo, tg.hi = lo, hi
	return uint64(hi-lo) >= need
}

// numCapacity is how many distinct values a numeric or temporal column can
// hold within its type.
func numCapacity(t colType) uint64 {
	lo, hi, ulo, uhi, unsigned := typeLimits(t)
	var span uint64
	if unsigned {
		span = uhi - ulo
	} else {
		span = uint64(hi - lo)
	}
	if span >= capLimit {
		return capLimit
	}
	return span + 1
}
