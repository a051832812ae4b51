package snapshot

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// columnKind tells what aggregates a column gets.
func columnKind(dataType string) string {
	switch dataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric", "float", "double", "real", "bit", "year":
		return "number"
	case "date", "datetime", "timestamp", "time":
		return "time"
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json":
		return "string"
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return "binary"
	}
	return "other" // spatial and the like: null fraction only
}

// captureColumnStats computes per-column aggregates over a sample of about
// sampleRows rows of t (sampleFrom: slices spread along an integer primary
// key, else the first rows; a bounded read, never a scan): null fraction,
// distinct count, min/max for numbers and dates only, and the length
// distribution of strings and binaries. No value of a string column ever
// leaves the server; only counts and lengths do. Each statement is bounded
// by the lock budget.
func (s *session) captureColumnStats(ctx context.Context, schema string, t *Table, sampleRows int) error {
	if len(t.Columns) == 0 {
		return nil
	}
	sample, err := s.sampleFrom(ctx, schema, t, sampleRows)
	if err != nil {
		return err
	}
	exprs := []string{"COUNT(*) AS n"}
	var lens []string
	for i, c := range t.Columns {
		q := "sample." + mysqlkit.Quote(c.Name)
		exprs = append(exprs, fmt.Sprintf("SUM(%s IS NULL) AS null_%d", q, i))
		switch columnKind(c.DataType) {
		case "number", "time":
			if c.DataType == "bit" {
				q = "(" + q + " + 0)" // as a number, not raw bytes
			}
			exprs = append(exprs, fmt.Sprintf("COUNT(DISTINCT %s) AS d_%d, CAST(MIN(%s) AS CHAR) AS min_%d, CAST(MAX(%s) AS CHAR) AS max_%d", q, i, q, i, q, i))
		case "string", "binary":
			fn := "CHAR_LENGTH"
			if columnKind(c.DataType) == "binary" {
				fn = "LENGTH"
			}
			if c.DataType == "json" {
				q = "CAST(" + q + " AS CHAR)"
			}
			if !strings.Contains(c.DataType, "blob") && !strings.Contains(c.DataType, "text") && c.DataType != "json" {
				exprs = append(exprs, fmt.Sprintf("COUNT(DISTINCT %s) AS d_%d", q, i))
			}
			if columnKind(c.DataType) == "string" && c.DataType != "json" {
				for _, cs := range narrowerCharsets(c.Charset) {
					// A character cs lacks becomes '?' on the way there: the
					// value does not come back the same.
					exprs = append(exprs, fmt.Sprintf("SUM(CAST(CONVERT(CONVERT(%s USING %s) USING utf8mb4) AS BINARY) <> CAST(CONVERT(%s USING utf8mb4) AS BINARY)) AS n_%d_%s", q, cs, q, i, cs))
				}
			}
			lens = append(lens, fmt.Sprintf("%s(%s) AS l_%d", fn, q, i))
		}
	}
	rs, err := s.rows(ctx, s.bounded("SELECT "+strings.Join(exprs, ", ")+" FROM "+sample))
	if err != nil {
		return err
	}
	agg := rs[0]
	n := agg.int("n")
	lengths := map[int][]int64{}
	if len(lens) > 0 && n > 0 {
		lrs, err := s.rows(ctx, s.bounded("SELECT "+strings.Join(lens, ", ")+" FROM "+sample))
		if err != nil {
			return err
		}
		for _, r := range lrs {
			for i := range t.Columns {
				if v := r.intPtr(fmt.Sprintf("l_%d", i)); v != nil {
					lengths[i] = append(lengths[i], *v)
				}
			}
		}
	}
	rows := t.Stats.RowCount()
	if rows < n {
		rows = n
	}
	for i := range t.Columns {
		c := &t.Columns[i]
		st := &ColumnStats{SampleRows: n}
		nulls := agg.int(fmt.Sprintf("null_%d", i))
		if n > 0 {
			st.NullFraction = float64(nulls) / float64(n)
		}
		if d := agg.intPtr(fmt.Sprintf("d_%d", i)); d != nil {
			st.SampleDistinct = d
		}
		if columnKind(c.DataType) == "string" && c.DataType != "json" {
			for _, cs := range narrowerCharsets(c.Charset) {
				if st.NotIn == nil {
					st.NotIn = map[string]int64{}
				}
				st.NotIn[cs] = agg.int(fmt.Sprintf("n_%d_%s", i, cs))
			}
		}
		st.Distinct = estimateDistinct(agg.int(fmt.Sprintf("d_%d", i)), n-nulls, n, rows, st.NullFraction)
		if k := columnKind(c.DataType); k == "number" || k == "time" {
			st.Min, st.Max = agg.ptr(fmt.Sprintf("min_%d", i)), agg.ptr(fmt.Sprintf("max_%d", i))
		}
		if ls := lengths[i]; len(ls) > 0 {
			st.Length = lengthStats(ls)
		}
		// The index's estimate (the server's, over the whole table) wins
		// unless the sample saw each value ten times on average: then it
		// saw them all, and InnoDB's page-sampled estimate is the rougher
		// one (202 for a 100-value column on MariaDB 10.11).
		seen := agg.int(fmt.Sprintf("d_%d", i))
		if card := leadingCardinality(t, c.Name); card > st.Distinct && !(seen > 0 && seen*10 <= n-nulls) {
			st.Distinct = card
		}
		c.Stats = st
	}
	return nil
}

// sampleFrom is the derived table a sample is read from. With a
// single-column integer primary key, rows come from up to 100 slices of
// equal width spread from its smallest to its largest value, 100 rows or
// more each (a key's first and last values are read from the index, not
// the rows), so a column that grows with the key (created_at) is sampled
// over its whole range; otherwise, the first sampleRows rows.
func (s *session) sampleFrom(ctx context.Context, schema string, t *Table, sampleRows int) (string, error) {
	tbl := mysqlkit.Qualified(schema, t.Name)
	first := fmt.Sprintf("(SELECT * FROM %s LIMIT %d) AS sample", tbl, sampleRows)
	key := countKey(t)
	slices := min(100, sampleRows/100)
	if len(key) != 1 || slices < 2 || !isIntegerColumn(t, key[0]) {
		return first, nil
	}
	k := mysqlkit.Quote(key[0])
	var lo, hi sql.NullString
	if err := s.conn.QueryRowContext(ctx, s.bounded(fmt.Sprintf("SELECT CAST(MIN(%s) AS CHAR), CAST(MAX(%s) AS CHAR) FROM %s", k, k, tbl))).Scan(&lo, &hi); err != nil {
		return "", err
	}
	low, okLo := new(big.Int).SetString(lo.String, 10)
	high, okHi := new(big.Int).SetString(hi.String, 10)
	if !okLo || !okHi || high.Cmp(low) <= 0 {
		return first, nil
	}
	width := new(big.Int).Sub(high, low)
	per := sampleRows / slices
	parts := make([]string, slices)
	for i := range parts {
		from := new(big.Int).Add(low, new(big.Int).Div(new(big.Int).Mul(width, big.NewInt(int64(i))), big.NewInt(int64(slices))))
		cond := fmt.Sprintf("%s >= %s", k, from)
		if i < slices-1 {
			to := new(big.Int).Add(low, new(big.Int).Div(new(big.Int).Mul(width, big.NewInt(int64(i+1))), big.NewInt(int64(slices))))
			cond += fmt.Sprintf(" AND %s < %s", k, to)
		}
		parts[i] = fmt.Sprintf("(SELECT * FROM %s WHERE %s ORDER BY %s LIMIT %d)", tbl, cond, k, per)
	}
	return "(" + strings.Join(parts, " UNION ALL ") + ") AS sample", nil
}

func isIntegerColumn(t *Table, name string) bool {
	for _, c := range t.Columns {
		if c.Name == name {
			switch c.DataType {
			case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
				return true
			}
		}
	}
	return false
}

// estimateDistinct scales a sample's distinct count to the table: a column
// whose sample is (nearly) all distinct is taken to be unique; otherwise the
// sample's count stands (low-cardinality columns show all their values).
func estimateDistinct(d, nonNull, sampled, rows int64, nullFrac float64) int64 {
	if sampled == 0 || sampled >= rows {
		return d
	}
	if nonNull > 0 && float64(d)/float64(nonNull) > 0.9 {
		return int64(float64(rows) * (1 - nullFrac))
	}
	return d
}

// leadingCardinality is the index cardinality of a column that leads an
// index (the server's own estimate over the whole table), or 0.
func leadingCardinality(t *Table, col string) int64 {
	var best int64
	for _, ix := range t.Indexes {
		if len(ix.Columns) > 0 && ix.Columns[0].Name == col && ix.Columns[0].Cardinality > best {
			best = ix.Columns[0].Cardinality
		}
	}
	return best
}

func lengthStats(ls []int64) *LengthStats {
	sort.Slice(ls, func(i, j int) bool { return ls[i] < ls[j] })
	var sum int64
	for _, l := range ls {
		sum += l
	}
	pct := func(p float64) int64 { return ls[int(p*float64(len(ls)-1))] }
	return &LengthStats{Min: ls[0], Max: ls[len(ls)-1], Avg: float64(sum) / float64(len(ls)), P50: pct(0.5), P90: pct(0.9), P99: pct(0.99)}
}

// narrowerCharsets are the character sets a column of character set cs is
// commonly narrowed to that lack some of cs's characters: the ones the
// sample counts values outside of (ColumnStats.NotIn).
func narrowerCharsets(cs string) []string {
	switch strings.ToLower(cs) {
	case "utf8mb4", "utf16", "utf16le", "utf32":
		return []string{"ascii", "latin1", "utf8mb3"}
	case "utf8mb3", "utf8", "ucs2":
		return []string{"ascii", "latin1"}
	case "latin1", "latin2", "latin5", "latin7", "cp1250", "cp1251", "cp1256", "cp1257", "greek", "hebrew":
		return []string{"ascii"}
	}
	return nil
}
