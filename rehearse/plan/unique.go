package plan

import (
	"fmt"
	"math"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/snapshot"
)

// What a snapshot's statistics say about the rows of a table under a
// unique key or primary key a statement adds (KeyEvidence.Verdict).
const (
	// EvidenceDuplicates: rows that exist hold the same key twice (a
	// duplicate in the sampled rows, or more rows than the key's columns
	// can tell apart): the build fails with 1062.
	EvidenceDuplicates = "duplicates"
	// EvidenceNulls: a primary key over a column whose sampled rows hold
	// NULL: strict mode fails the build (1138 on MySQL, 1265 on MariaDB);
	// otherwise the NULLs silently become 0 or ''.
	EvidenceNulls = "nulls"
	// EvidenceLikely: an estimate (index cardinality, an estimated row
	// count) says duplicates, but cannot prove them.
	EvidenceLikely = "likely-duplicates"
	// EvidenceCovered: an existing unique key's columns are all in the new
	// key: no duplicate exists, nor can one be inserted during the build.
	EvidenceCovered = "covered"
	// EvidenceSampleUnique: every sampled value is distinct (the rest of
	// the table is not known).
	EvidenceSampleUnique = "unique-in-sample"
	// EvidenceUnknown: no statistic speaks (no --column-stats, a
	// functional key part, a column the snapshot lacks).
	EvidenceUnknown = "unknown"
)

// KeyEvidence is the answer of UniqueKeyEvidence.
type KeyEvidence struct {
	Verdict string
	// Exact: the evidence is a fact about rows that existed at the
	// snapshot (sample counts, pigeonhole over exact bounds, an existing
	// key), not an estimate.
	Exact bool
	// Detail says it with the numbers, in a sentence.
	Detail string
	// Query lists the offending rows on production ("" when none applies).
	Query string
}

// UniqueKeyEvidence judges a unique key (or, primary, a primary key) over
// key on table t from the snapshot's statistics. Exact evidence comes from
// --column-stats: the sample is rows that exist, so a value it holds twice
// is a duplicate in the table (sample_distinct below the sample's non-null
// rows), and more sampled rows than the key's columns have possible values
// (ENUM, TINYINT, BIT, ...) is one by pigeonhole. Estimates (InnoDB's index
// cardinality, TABLE_ROWS) only ever make EvidenceLikely, and only when
// they are off by more than their usual error (at most half as many
// distinct values as rows).
func UniqueKeyEvidence(t *snapshot.Table, key []KeyPart, primary bool) KeyEvidence {
	if t == nil || len(key) == 0 {
		return KeyEvidence{Verdict: EvidenceUnknown, Detail: "the table is not in the snapshot"}
	}
	cols := make([]*snapshot.Column, len(key))
	for i, p := range key {
		if p.Column == "" {
			return KeyEvidence{Verdict: EvidenceUnknown, Detail: "a functional key part: no statistic describes its values"}
		}
		if cols[i] = column(t, p.Column); cols[i] == nil {
			return KeyEvidence{Verdict: EvidenceUnknown, Detail: fmt.Sprintf("column %s is not in the snapshot's %s", p.Column, t.Name)}
		}
	}
	if e, ok := covered(t, key, cols, primary); ok {
		return e
	}
	names := keyText(key)
	if primary {
		if e, ok := nullEvidence(t, key, cols); ok {
			return e
		}
	}
	if e, ok := sampleDuplicates(t, key, cols); ok {
		return e
	}
	if e, ok := pigeonhole(t, key, cols); ok {
		return e
	}
	if e, ok := cardinalityEvidence(t, key); ok {
		return e
	}
	if len(key) == 1 && cols[0].Stats != nil && cols[0].Stats.SampleRows > 0 {
		st := cols[0].Stats
		return KeyEvidence{Verdict: EvidenceSampleUnique, Detail: fmt.Sprintf("the snapshot's sample of %d rows holds no duplicate of %s (the rest of the table was not read)", st.SampleRows, names)}
	}
	return KeyEvidence{Verdict: EvidenceUnknown, Detail: "the snapshot has no statistic that tells (take it with --column-stats)"}
}

func column(t *snapshot.Table, name string) *snapshot.Column { return t.Column(name) }

// covered: an existing unique or primary key whose columns (whole, no
// prefix) are all whole columns of the new key.
func covered(t *snapshot.Table, key []KeyPart, cols []*snapshot.Column, primary bool) (KeyEvidence, bool) {
	whole := map[string]bool{}
	for _, p := range key {
		if p.Prefix == 0 {
			whole[strings.ToLower(p.Column)] = true
		}
	}
	for _, ix := range t.Indexes {
		if !ix.Unique && !ix.Primary {
			continue
		}
		ok := len(ix.Columns) > 0
		for _, c := range ix.Columns {
			if c.Name == "" || c.SubPart > 0 || !whole[strings.ToLower(c.Name)] {
				ok = false
			}
		}
		if !ok {
			continue
		}
		if primary {
			for _, c := range cols {
				if c.Nullable && !(c.Stats != nil && c.Stats.NullFraction == 0 && c.Stats.SampleRows > 0) && !ix.Primary {
					return KeyEvidence{}, false // duplicates excluded, NULLs not: let the NULL check speak
				}
			}
		}
		what := "unique key " + ix.Name
		if ix.Primary {
			what = "primary key"
		}
		return KeyEvidence{Verdict: EvidenceCovered, Exact: true,
			Detail: fmt.Sprintf("the existing %s (%s) is part of the new key: no two rows can share %s", what, indexCols(ix), keyText(key))}, true
	}
	return KeyEvidence{}, false
}

// sampleCounts are a column's sampled rows, NULLs among them and distinct
// non-null values (sd < 0: not counted).
func sampleCounts(t *snapshot.Table, c *snapshot.Column) (n, nulls, nonNull, sd int64, ok bool) {
	st := c.Stats
	if st == nil || st.SampleRows == 0 {
		return 0, 0, 0, -1, false
	}
	n = st.SampleRows
	nulls = int64(math.Round(st.NullFraction * float64(n)))
	nonNull = n - nulls
	sd = -1
	switch {
	case st.SampleDistinct != nil:
		sd = *st.SampleDistinct
	default:
		// A snapshot from before sample_distinct: Distinct is the sample's
		// own count (or a larger index cardinality) unless nearly every
		// sampled value was distinct, when it is scaled to the whole
		// table's non-null rows: below that, the sample held duplicates.
		rows := max(t.Stats.RowCount(), n)
		if scaled := int64(float64(rows) * (1 - st.NullFraction)); st.Distinct < scaled && st.Distinct < nonNull {
			sd = st.Distinct
		}
	}
	return n, nulls, nonNull, sd, true
}

func nullEvidence(t *snapshot.Table, key []KeyPart, cols []*snapshot.Column) (KeyEvidence, bool) {
	for i, c := range cols {
		n, nulls, _, _, ok := sampleCounts(t, c)
		if !ok || nulls == 0 || !c.Nullable {
			continue
		}
		return KeyEvidence{Verdict: EvidenceNulls, Exact: true,
			Detail: fmt.Sprintf("%d of the %d rows the snapshot sampled hold NULL in %s, which a primary key forbids", nulls, n, key[i].Column),
			Query:  fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s IS NULL", mysqlkit.Quote(t.Name), mysqlkit.Quote(key[i].Column))}, true
	}
	return KeyEvidence{}, false
}

func sampleDuplicates(t *snapshot.Table, key []KeyPart, cols []*snapshot.Column) (KeyEvidence, bool) {
	if len(key) != 1 {
		return KeyEvidence{}, false
	}
	n, _, nonNull, sd, ok := sampleCounts(t, cols[0])
	if !ok || sd < 0 || sd >= nonNull {
		return KeyEvidence{}, false
	}
	what := fmt.Sprintf("%d distinct", sd)
	if cols[0].Stats.SampleDistinct == nil {
		what = fmt.Sprintf("at most %d distinct (an older snapshot without sample_distinct: its distinct figure)", sd)
	}
	return KeyEvidence{Verdict: EvidenceDuplicates, Exact: true,
		Detail: fmt.Sprintf("the snapshot's sample of %d rows (of %s) holds %d non-null values of %s but only %s: at least %d duplicate(s), in rows that exist",
			n, rowsText(t), nonNull, keyText(key), what, nonNull-sd),
		Query: duplicatesQuery(t.Name, key)}, true
}

// pigeonhole: more rows whose key columns are all non-null than the key's
// columns have possible values together.
func pigeonhole(t *snapshot.Table, key []KeyPart, cols []*snapshot.Column) (KeyEvidence, bool) {
	var possible float64 = 1
	var why []string
	for _, c := range cols {
		d, desc := domainSize(c)
		if d == 0 {
			n, _, _, sd, ok := sampleCounts(t, c)
			if !ok || sd < 0 || t.Stats.ExactRows == nil || n < *t.Stats.ExactRows {
				return KeyEvidence{}, false
			}
			d, desc = sd, fmt.Sprintf("%d distinct values in the whole table (sampled entirely)", sd)
		}
		possible *= float64(d)
		why = append(why, c.Name+": "+desc)
	}
	// The rows known to exist with no NULL in the key: the sample's (exact)
	// or the exact count for NOT NULL columns.
	var rows int64
	exact := true
	basis := ""
	if n, _, _, _, ok := sampleCounts(t, cols[0]); ok {
		rows = n
		for _, c := range cols {
			_, nulls, _, _, _ := sampleCounts(t, c)
			rows -= nulls
		}
		basis = fmt.Sprintf("the %d rows the snapshot sampled with no NULL in the key", rows)
	}
	if t.Stats.ExactRows != nil && !anyNullable(cols) && *t.Stats.ExactRows > rows {
		rows, basis = *t.Stats.ExactRows, fmt.Sprintf("the table's %d rows (exact count)", *t.Stats.ExactRows)
	}
	if rows == 0 {
		rows, exact = t.Stats.Rows, false
		basis = fmt.Sprintf("the table's ~%d rows (TABLE_ROWS, an estimate)", rows)
	}
	if float64(rows) <= possible || (!exact && float64(rows) <= 2*possible) {
		return KeyEvidence{}, false
	}
	e := KeyEvidence{Verdict: EvidenceDuplicates, Exact: exact,
		Detail: fmt.Sprintf("%s can take at most %.0f distinct values (%s), fewer than %s", keyText(key), possible, strings.Join(why, ", "), basis),
		Query:  duplicatesQuery(t.Name, key)}
	if !exact {
		e.Verdict = EvidenceLikely
	}
	return e, true
}

// domainSize is how many distinct values a column's type allows (0: too
// many to matter).
func domainSize(c *snapshot.Column) (int64, string) {
	switch strings.ToLower(c.DataType) {
	case "enum":
		n := int64(len(enumRe.FindAllString(c.Type, -1)))
		return n + 1, fmt.Sprintf("ENUM of %d values (and '' for an invalid one)", n)
	case "set":
		n := len(enumRe.FindAllString(c.Type, -1))
		if n > 40 {
			return 0, ""
		}
		return int64(1) << n, fmt.Sprintf("SET of %d members", n)
	case "tinyint":
		return 256, "TINYINT: 256 values"
	case "year":
		return 256, "YEAR: 256 values"
	case "bit":
		if c.NumericPrecision != nil && *c.NumericPrecision <= 40 {
			return int64(1) << *c.NumericPrecision, fmt.Sprintf("BIT(%d)", *c.NumericPrecision)
		}
	}
	return 0, ""
}

func anyNullable(cols []*snapshot.Column) bool {
	for _, c := range cols {
		if c.Nullable {
			return true
		}
	}
	return false
}

// cardinalityEvidence: InnoDB's cardinality estimate for an index whose
// leading columns are exactly the key's (weak: estimated from sampled
// pages, so only a large gap counts).
func cardinalityEvidence(t *snapshot.Table, key []KeyPart) (KeyEvidence, bool) {
	want := map[string]bool{}
	for _, p := range key {
		want[strings.ToLower(p.Column)] = true
	}
	rows := t.Stats.RowCount()
	for _, ix := range t.Indexes {
		if len(ix.Columns) < len(key) {
			continue
		}
		ok := true
		for _, c := range ix.Columns[:len(key)] {
			if !want[strings.ToLower(c.Name)] || c.SubPart > 0 {
				ok = false
			}
		}
		card := ix.Columns[len(key)-1].Cardinality
		if !ok || card <= 0 || rows <= 0 || 2*card >= rows {
			continue
		}
		rowsWhat := "~" + fmt.Sprint(rows) + " rows (TABLE_ROWS, an estimate)"
		if t.Stats.ExactRows != nil {
			rowsWhat = fmt.Sprint(rows) + " rows"
		}
		return KeyEvidence{Verdict: EvidenceLikely,
			Detail: fmt.Sprintf("index %s's cardinality estimate for %s is %d against %s: probably duplicates, but InnoDB estimates cardinality from a few sampled pages, so this is not proof (take the snapshot with --column-stats)",
				ix.Name, keyText(key), card, rowsWhat),
			Query: duplicatesQuery(t.Name, key)}, true
	}
	return KeyEvidence{}, false
}

// duplicatesQuery lists the key's duplicated values on production.
func duplicatesQuery(table string, key []KeyPart) string {
	var exprs, notNull []string
	for _, p := range key {
		e := mysqlkit.Quote(p.Column)
		notNull = append(notNull, e+" IS NOT NULL")
		if p.Prefix > 0 {
			e = fmt.Sprintf("LEFT(%s, %d)", e, p.Prefix)
		}
		exprs = append(exprs, e)
	}
	cols := strings.Join(exprs, ", ")
	return fmt.Sprintf("SELECT %s, COUNT(*) FROM %s WHERE %s GROUP BY %s HAVING COUNT(*) > 1 LIMIT 20",
		cols, mysqlkit.Quote(table), strings.Join(notNull, " AND "), cols)
}

// keyText is the key as written: "(a, b(10))".
func keyText(key []KeyPart) string {
	var s []string
	for _, p := range key {
		switch {
		case p.Expr != "":
			s = append(s, "("+p.Expr+")")
		case p.Prefix > 0:
			s = append(s, fmt.Sprintf("%s(%d)", p.Column, p.Prefix))
		default:
			s = append(s, p.Column)
		}
	}
	return "(" + strings.Join(s, ", ") + ")"
}

func indexCols(ix snapshot.Index) string {
	var s []string
	for _, c := range ix.Columns {
		s = append(s, c.Name)
	}
	return strings.Join(s, ", ")
}

func rowsText(t *snapshot.Table) string {
	if t.Stats.ExactRows != nil {
		return fmt.Sprintf("%d rows", *t.Stats.ExactRows)
	}
	return fmt.Sprintf("~%d rows", t.Stats.Rows)
}
