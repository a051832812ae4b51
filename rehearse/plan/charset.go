package plan

import (
	"strings"
)

// charsetBytes is the maximum bytes per character of the multi-byte
// character sets (and of the common single-byte ones).
var charsetBytes = map[string]int64{
	"utf8mb4": 4, "utf8mb3": 3, "ucs2": 2, "utf16": 4, "utf16le": 4, "utf32": 4,
	"big5": 2, "gbk": 2, "gb2312": 2, "gb18030": 4, "sjis": 2, "cp932": 2, "euckr": 2, "ujis": 3, "eucjpms": 3,
	"latin1": 1, "ascii": 1, "binary": 1,
}

// singleByte lists the other single-byte character sets.
var singleByte = map[string]bool{
	"latin2": true, "latin5": true, "latin7": true, "cp1250": true, "cp1251": true, "cp1256": true, "cp1257": true,
	"cp850": true, "cp852": true, "cp866": true, "koi8r": true, "koi8u": true, "greek": true, "hebrew": true,
	"tis620": true, "swe7": true, "dec8": true, "hp8": true, "armscii8": true, "geostd8": true, "keybcs2": true,
	"macce": true, "macroman": true,
}

// bytesPerChar is a character set's maximum bytes per character (4, the
// widest, when it is unknown).
func bytesPerChar(cs string) int64 {
	cs = normCharset(cs)
	if mb, ok := charsetBytes[cs]; ok {
		return mb
	}
	if singleByte[cs] {
		return 1
	}
	return 4
}

// defaultCollations are the default collations that are not <charset>_general_ci
// (SHOW CHARACTER SET, identical in MySQL and MariaDB; utf8mb4 and the UCA
// sets are overridden per server by charsetDefaults).
var defaultCollations = map[string]string{
	"latin1": "latin1_swedish_ci", "binary": "binary", "big5": "big5_chinese_ci", "gbk": "gbk_chinese_ci",
	"gb2312": "gb2312_chinese_ci", "gb18030": "gb18030_chinese_ci", "sjis": "sjis_japanese_ci", "cp932": "cp932_japanese_ci",
	"ujis": "ujis_japanese_ci", "eucjpms": "eucjpms_japanese_ci", "euckr": "euckr_korean_ci", "tis620": "tis620_thai_ci",
	"latin5": "latin5_turkish_ci", "swe7": "swe7_swedish_ci", "dec8": "dec8_swedish_ci", "hp8": "hp8_english_ci",
}

// ucaSets are the Unicode sets MariaDB 11.6+ maps to <charset>_uca1400_ai_ci
// by default (character_set_collations).
var ucaSets = []string{"utf8mb3", "ucs2", "utf8mb4", "utf16", "utf32"}

// charsetDefaults answers which collation a column gets when its definition
// names a character set without COLLATE: that set's default on the server
// (not the table's collation).
type charsetDefaults struct {
	byCharset map[string]string // server-specific defaults
}

// newCharsetDefaults reads the server's defaults from its flavor, version
// and the snapshot's settings (MySQL's default_collation_for_utf8mb4,
// MariaDB 11.2+'s character_set_collations); nil settings are fine.
func newCharsetDefaults(s server, settings map[string]string) *charsetDefaults {
	d := &charsetDefaults{byCharset: map[string]string{}}
	switch {
	case !s.mariadb && s.atLeast(8, 0, 0):
		d.byCharset["utf8mb4"] = "utf8mb4_0900_ai_ci"
		if v := settings["default_collation_for_utf8mb4"]; v != "" {
			d.byCharset["utf8mb4"] = normCollation(v)
		}
	case s.mariadb && s.atLeast(11, 6, 0):
		for _, cs := range ucaSets {
			d.byCharset[cs] = cs + "_uca1400_ai_ci"
		}
	}
	if v, ok := settings["character_set_collations"]; ok && s.mariadb {
		for _, cs := range ucaSets {
			delete(d.byCharset, cs)
		}
		for _, kv := range strings.Split(v, ",") {
			if cs, coll, ok := strings.Cut(strings.TrimSpace(kv), "="); ok {
				d.byCharset[normCharset(cs)] = normCollation(coll)
			}
		}
	}
	return d
}

// collation is the default collation of character set cs.
func (d *charsetDefaults) collation(cs string) string {
	cs = normCharset(cs)
	if d != nil {
		if c, ok := d.byCharset[cs]; ok {
			return c
		}
	}
	if c, ok := defaultCollations[cs]; ok {
		return c
	}
	return cs + "_general_ci"
}

// normCharset spells a character set as current servers report it (utf8 is
// utf8mb3 in MySQL 8.0 and MariaDB 10.6+).
func normCharset(cs string) string {
	cs = strings.ToLower(strings.TrimSpace(cs))
	if cs == "utf8" {
		return "utf8mb3"
	}
	return cs
}

// normCollation spells a collation as current servers report it.
func normCollation(c string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	if strings.HasPrefix(c, "utf8_") {
		return "utf8mb3_" + c[len("utf8_"):]
	}
	return c
}

// charsetOf is the character set a collation belongs to.
func charsetOf(collation string) string {
	collation = normCollation(collation)
	if i := strings.IndexByte(collation, '_'); i > 0 {
		return collation[:i]
	}
	return collation
}

// reinterpretable: every string stored in character set from is the same
// bytes in character set to, so the server changes metadata only (MariaDB
// 10.4+ and MySQL 8.0 for utf8mb3 to utf8mb4; ascii to latin1 or utf8mb4
// was measured as a table copy on MariaDB 10.11/11.8 and MySQL 9.7).
func reinterpretable(from, to string) bool {
	from, to = normCharset(from), normCharset(to)
	return from == to || (from == "utf8mb3" && to == "utf8mb4")
}

// sameOrder: two collations sort alike (the same collation rules over a
// character set and its superset, e.g. utf8mb3_general_ci and
// utf8mb4_general_ci), so an index on the column keeps its order.
func sameOrder(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	a, b = normCollation(a), normCollation(b)
	return a == b || (reinterpretable(charsetOf(a), charsetOf(b)) &&
		strings.TrimPrefix(a, charsetOf(a)) == strings.TrimPrefix(b, charsetOf(b)))
}
