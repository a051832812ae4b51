package plan

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/rehearse/rehearse/snapshot"
)

// Narrowing is what a change of a column's definition can do to values the
// new definition cannot hold, and what production's statistics say about
// them (NarrowFit). What the server does was verified by hand on MariaDB
// 10.11 and MySQL 9.7 (docs/rules/RH103.md): under a strict sql_mode the
// ALTER fails with Error; without it the values are cut, clamped or
// replaced by '?', silently; a Silent kind is rounded in every mode.
type Narrowing struct {
	From string `json:"from"` // the column's type before ("varchar(64)")
	To   string `json:"to"`   // and after
	// Kind is what does not fit: "length", "range", "integer digits",
	// "decimal places", "fractional seconds", "time of day", "characters",
	// "members", "NULLs" (a column made NOT NULL).
	Kind   string `json:"kind"`
	Silent bool   `json:"silent,omitempty"`
	Error  int    `json:"error,omitempty"` // the strict-mode failure: 1264, 1366, 1265; 1406 or 1265 for a length (the server picks by type)
	// Over names sampled values that do not fit, with the numbers: exact
	// (those rows exist). "" when the statistics show none.
	Over string `json:"over,omitempty"`
	// Unknown says why the statistics cannot tell ("" when they can: then
	// the sampled values fit).
	Unknown string `json:"unknown,omitempty"`
}

// NarrowFit judges a column changing from old to nw: nil when nw holds
// every value old can (a widening, a metadata change); else what does not
// fit and whether production's statistics st (nil: none) show such values.
func NarrowFit(old, nw *snapshot.Column, st *snapshot.ColumnStats) *Narrowing {
	n := narrowKind(old, nw)
	if n == nil {
		return nil
	}
	n.From, n.To = old.Type, nw.Type
	if old.Charset != "" && nw.Charset != "" && normCharset(old.Charset) != normCharset(nw.Charset) {
		n.From, n.To = n.From+" "+normCharset(old.Charset), n.To+" "+normCharset(nw.Charset)
	}
	if st == nil || st.SampleRows == 0 {
		if n.Unknown == "" {
			n.Unknown = "the snapshot has no statistics for it (rehearse snapshot --column-stats)"
		}
		return n
	}
	if n.Unknown != "" {
		return n
	}
	if n.Kind == "decimal places" && kindOf(strings.ToLower(nw.DataType)) == "int" {
		if out := outsideType(st, nw); out != "" { // out of the integer's range before any rounding
			n.Kind, n.Silent, n.Error, n.Over = "range", false, 1264, out
			return n
		}
	}
	switch n.Kind {
	case "length":
		cap, unit := capacity(nw)
		switch {
		case st.Length == nil:
			n.Unknown = "the statistics hold no lengths for it"
		case st.Length.Max > cap:
			n.Over = fmt.Sprintf("values up to %d %s (statistics) do not fit in %d", st.Length.Max, unit, cap)
		case !isBinary(strings.ToLower(old.DataType)) && !isBinary(strings.ToLower(nw.DataType)) && old.Charset != "" && nw.Charset != "" && !charsetCovers(nw.Charset, old.Charset):
			n.Over, n.Unknown = charactersFit(st, nw.Charset)
			if n.Over != "" {
				n.Kind, n.Error = "characters", 1366
			} else if n.Unknown != "" {
				n.Unknown = "the lengths fit, but " + n.Unknown
			}
		}
	case "range", "integer digits":
		if out := outsideType(st, nw); out != "" {
			n.Over = out
		}
	case "decimal places", "fractional seconds":
		places := scale(nw)
		for _, v := range []*string{st.Min, st.Max} {
			if v != nil {
				if _, fp := digits(*v); fp > places {
					n.Over = fmt.Sprintf("%s (statistics) has %d %s, the new type %d", *v, fp, n.Kind, places)
					return n
				}
			}
		}
		n.Unknown = fmt.Sprintf("values with more than %d %s are rounded; the statistics show only the extremes", places, n.Kind)
	case "time of day":
		for _, v := range []*string{st.Min, st.Max} {
			if v != nil && strings.Contains(*v, " ") && !strings.HasSuffix(strings.TrimRight(strings.TrimRight(*v, "0"), "."), "00:00:00") {
				n.Over = fmt.Sprintf("%s (statistics) has a time of day, which a DATE drops", *v)
				return n
			}
		}
		n.Unknown = "the statistics show only the extremes"
	case "members":
		list := enumRe.FindAllString(nw.Type, -1)
		members := len(list)
		if st.SampleDistinct != nil && *st.SampleDistinct > int64(members) {
			n.Over = fmt.Sprintf("the sampled rows hold %d distinct values, the new type has %d members", *st.SampleDistinct, members)
		} else if v := notAMember(st, list); v != "" {
			n.Over = fmt.Sprintf("%q (statistics: the smallest or largest value) is not a member", v)
		} else {
			n.Unknown = "the statistics do not show which members the rows use"
		}
	case "characters":
		n.Over, n.Unknown = charactersFit(st, nw.Charset)
	default:
		n.Unknown = "the statistics do not show the values themselves"
	}
	return n
}

// charactersFit reads the statistics' count of sampled values holding a
// character set cs lacks: over when some do, unknown when the snapshot did
// not count for cs (both "": the sampled values fit).
func charactersFit(st *snapshot.ColumnStats, cs string) (over, unknown string) {
	cs = normCharset(cs)
	n, ok := st.NotIn[cs]
	switch {
	case !ok:
		return "", fmt.Sprintf("the statistics do not show which characters the values hold: any %s lacks (emoji, other scripts) does not fit", cs)
	case n > 0:
		return fmt.Sprintf("%d of the %d sampled values hold characters %s lacks (statistics)", n, st.SampleRows, cs), ""
	}
	return "", ""
}

// narrowKind says what old's values can lose in nw (nil: nothing).
func narrowKind(old, nw *snapshot.Column) *Narrowing {
	o, w := strings.ToLower(old.DataType), strings.ToLower(nw.DataType)
	ok, wk := kindOf(o), kindOf(w)
	switch {
	case ok == "string" && wk == "string":
		if o == "enum" || o == "set" || w == "enum" || w == "set" {
			if o == w && membersRemoved(old.Type, nw.Type) {
				return &Narrowing{Kind: "members", Error: 1265}
			}
			if w == "enum" && o != "enum" && o != "set" {
				// A free string made an ENUM: a value that is not a member
				// does not fit (verdicts case enum-narrowing-value-in-use:
				// 1265 on both servers).
				return &Narrowing{Kind: "members", Error: 1265}
			}
			return nil
		}
		if c1, _ := capacity(old); func() bool { c2, _ := capacity(nw); return c2 < c1 }() {
			e := 1265
			if isLob(o) || isLob(w) {
				e = 1406
			}
			return &Narrowing{Kind: "length", Error: e}
		}
		if oc, nc := normCharset(old.Charset), normCharset(nw.Charset); oc != "" && nc != "" && !charsetCovers(nc, oc) && !isBinary(o) && !isBinary(w) {
			return &Narrowing{Kind: "characters", Error: 1366}
		}
	case ok == "int" && wk == "int":
		if intNarrower(old, nw) {
			return &Narrowing{Kind: "range", Error: 1264}
		}
	case (ok == "decimal" || ok == "float") && wk == "int":
		return &Narrowing{Kind: "decimal places", Silent: true} // and range: judged as decimal places first
	case ok == "decimal" && wk == "decimal":
		op, os := prec(old), scale(old)
		np, ns := prec(nw), scale(nw)
		switch {
		case np-ns < op-os:
			return &Narrowing{Kind: "integer digits", Error: 1264}
		case ns < os:
			return &Narrowing{Kind: "decimal places", Silent: true}
		}
	case ok == "temporal" && wk == "temporal":
		switch {
		case (o == "datetime" || o == "timestamp") && w == "date":
			return &Narrowing{Kind: "time of day", Silent: true}
		case o == w && scale(nw) < scale(old):
			return &Narrowing{Kind: "fractional seconds", Silent: true}
		}
	case ok == "bit" && wk == "bit":
		if prec(nw) < prec(old) {
			return &Narrowing{Kind: "range", Error: 1406}
		}
	}
	return nil
}

func kindOf(dataType string) string {
	switch dataType {
	case "char", "varchar", "binary", "varbinary", "tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob", "enum", "set":
		return "string"
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return "int"
	case "decimal", "numeric":
		return "decimal"
	case "float", "double", "real":
		return "float"
	case "datetime", "timestamp", "time", "date":
		return "temporal"
	case "bit":
		return "bit"
	}
	return "other"
}

func isLob(t string) bool { return strings.HasSuffix(t, "text") || strings.HasSuffix(t, "blob") }
func isBinary(t string) bool {
	return t == "binary" || t == "varbinary" || strings.HasSuffix(t, "blob")
}

// capacity is what a string column holds: characters (bytes for binary
// strings and TEXT/BLOB, whose limits are in bytes).
func capacity(c *snapshot.Column) (int64, string) {
	switch t := strings.ToLower(c.DataType); {
	case t == "tinytext" || t == "tinyblob":
		return 255, "bytes"
	case t == "text" || t == "blob":
		return 65535, "bytes"
	case t == "mediumtext" || t == "mediumblob":
		return 16777215, "bytes"
	case t == "longtext" || t == "longblob":
		return 4294967295, "bytes"
	case isBinary(t):
		if c.CharMaxLength != nil {
			return *c.CharMaxLength, "bytes"
		}
	default:
		if c.CharMaxLength != nil {
			return *c.CharMaxLength, "characters"
		}
	}
	return 1 << 62, "characters"
}

func membersRemoved(oldType, newType string) bool {
	nw := map[string]bool{}
	for _, m := range enumRe.FindAllString(newType, -1) {
		nw[m] = true
	}
	for _, m := range enumRe.FindAllString(oldType, -1) {
		if !nw[m] {
			return true
		}
	}
	return false
}

// charsetCovers: every character of character set from is one of to's, so
// a conversion from it to to loses nothing (a widening).
func charsetCovers(to, from string) bool {
	to, from = normCharset(to), normCharset(from)
	switch {
	case to == from, from == "ascii" && to != "binary":
		return true
	case from == "binary":
		return false
	case to == "utf8mb4" || to == "utf16" || to == "utf16le" || to == "utf32":
		return true // Unicode holds every other character set's characters
	case to == "utf8mb3" || to == "ucs2":
		return from == "utf8mb3" || from == "ucs2" || from == "latin1" || singleByte[from] // the Basic Multilingual Plane
	}
	return false
}

func prec(c *snapshot.Column) int64 {
	if c.NumericPrecision != nil {
		return *c.NumericPrecision
	}
	return 0
}

func scale(c *snapshot.Column) int64 {
	switch {
	case c.DatetimePrecision != nil:
		return *c.DatetimePrecision
	case c.NumericScale != nil:
		return *c.NumericScale
	}
	return 0
}

var intBits = map[string]uint{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64}

// IntRange is an integer column's range.
func IntRange(c *snapshot.Column) (lo, hi *big.Int) {
	bits := intBits[strings.ToLower(c.DataType)]
	one := big.NewInt(1)
	if strings.Contains(strings.ToLower(c.Type), "unsigned") {
		return big.NewInt(0), new(big.Int).Sub(new(big.Int).Lsh(one, bits), one)
	}
	h := new(big.Int).Lsh(one, bits-1)
	return new(big.Int).Neg(h), h.Sub(h, one)
}

func intNarrower(old, nw *snapshot.Column) bool {
	ol, oh := IntRange(old)
	nl, nh := IntRange(nw)
	return nl.Cmp(ol) > 0 || nh.Cmp(oh) < 0
}

// outsideType names a statistics extreme the new type cannot hold (an
// integer's range, a decimal's integer digits), or "".
func outsideType(st *snapshot.ColumnStats, nw *snapshot.Column) string {
	for _, v := range []*string{st.Min, st.Max} {
		if v == nil {
			continue
		}
		switch kindOf(strings.ToLower(nw.DataType)) {
		case "int":
			lo, hi := IntRange(nw)
			n, ok := new(big.Int).SetString(strings.TrimSpace(*v), 10)
			if ok && (n.Cmp(lo) < 0 || n.Cmp(hi) > 0) {
				return fmt.Sprintf("%s (statistics) is outside %s's range %s to %s", *v, nw.Type, lo, hi)
			}
		case "decimal":
			if ip, _ := digits(*v); ip > prec(nw)-scale(nw) {
				return fmt.Sprintf("%s (statistics) has %d integer digits, the new type %d", *v, ip, prec(nw)-scale(nw))
			}
		case "bit":
			n, ok := new(big.Int).SetString(strings.TrimSpace(*v), 10)
			if ok && n.BitLen() > int(prec(nw)) {
				return fmt.Sprintf("%s (statistics) needs %d bits, the new type %d", *v, n.BitLen(), prec(nw))
			}
		}
	}
	return ""
}

// digits counts a decimal literal's integer digits and significant decimal
// places ("-0012.3400" → 2, 2; "2024-01-01 10:00:00.123" → _, 3).
func digits(v string) (intDigits, frac int64) {
	v = strings.TrimLeft(strings.TrimSpace(v), "-+")
	ip, fp, _ := strings.Cut(v, ".")
	if strings.ContainsAny(ip, " :-") { // a date/time: only the fraction counts
		ip = ""
	}
	ip = strings.TrimLeft(ip, "0")
	fp = strings.TrimRight(fp, "0")
	return int64(len(ip)), int64(len(fp))
}

// nullsNarrowing is what making old NOT NULL does to its NULLs, when the
// snapshot's statistics show some (nil otherwise: without statistics the
// plan does not guess, RH104 already warns about NOT NULL for the previous
// app). Verified on plain servers (verdicts case not-null-on-column-with-nulls):
// under a strict sql_mode the ALTER fails, 1138 on MySQL 9.7 and 1265 on
// MariaDB 10.11; without it the NULLs become the type's implicit default.
func nullsNarrowing(old, nw *colModel) *Narrowing {
	if old.snap == nil || old.snap.Stats == nil || old.snap.Stats.SampleRows == 0 || old.snap.Stats.NullFraction <= 0 {
		return nil
	}
	st := old.snap.Stats
	return &Narrowing{
		From: shortType(old) + " NULL", To: shortType(nw) + " NOT NULL", Kind: "NULLs", Error: 1138,
		Over: fmt.Sprintf("%.0f%% of the %d sampled rows are NULL (statistics)", 100*st.NullFraction, st.SampleRows),
	}
}

// notAMember returns the statistics' minimum or maximum when it is none of
// the quoted ENUM members (compared case-insensitively, as the default
// collations do), else "".
func notAMember(st *snapshot.ColumnStats, quoted []string) string {
	for _, v := range []*string{st.Min, st.Max} {
		if v == nil {
			continue
		}
		found := false
		for _, q := range quoted {
			m := strings.ReplaceAll(strings.Trim(q, "'"), "''", "'")
			found = found || strings.EqualFold(strings.TrimRight(m, " "), strings.TrimRight(*v, " "))
		}
		if !found {
			return *v
		}
	}
	return ""
}
