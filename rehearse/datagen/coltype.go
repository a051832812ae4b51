package datagen

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/snapshot"
)

// kind is the family a column type belongs to for value generation.
type kind int

const (
	kInt kind = iota
	kDecimal
	kFloat
	kDate
	kDatetime
	kTimestamp
	kTime
	kYear
	kChar    // CHAR, VARCHAR, TEXT family (characters)
	kBinary  // BINARY, VARBINARY, BLOB family (bytes)
	kEnum    //
	kSet     //
	kBit     //
	kJSON    //
	kSpatial //
	kUnknown
)

// colType is a column type parsed once from the snapshot's COLUMN_TYPE.
type colType struct {
	kind     kind
	name     string // DATA_TYPE, lower case
	unsigned bool
	bits     int   // integers: storage bits; BIT(n): n
	length   int64 // characters (kChar) or bytes (kBinary): the most a value may hold
	fixed    bool  // CHAR / BINARY (fixed width)
	prec     int   // DECIMAL precision
	scale    int   // DECIMAL scale; float digits after the point
	fsp      int   // fractional seconds precision
	members  []string
	geom     string // spatial type name
	srid     int    // spatial SRID attribute (MySQL), -1 when absent
	charset  string
	bool1    bool // tinyint(1): a boolean
}

var reParen = regexp.MustCompile(`^[a-z ]+\((\d+)(?:,(\d+))?\)`)

// parseColType reads a column's type. Unknown types return kUnknown (the
// caller reports them and leaves the column to its default).
func parseColType(c *snapshot.Column, createSQL string) colType {
	full := strings.ToLower(strings.TrimSpace(c.Type))
	dt := strings.ToLower(strings.TrimSpace(c.DataType))
	if dt == "" {
		dt = full
		if i := strings.IndexAny(dt, "( "); i > 0 {
			dt = dt[:i]
		}
	}
	t := colType{name: dt, unsigned: strings.Contains(full, "unsigned"), charset: strings.ToLower(c.Charset), srid: -1}
	var n1, n2 int64 = -1, -1
	if m := reParen.FindStringSubmatch(full); m != nil {
		n1, _ = strconv.ParseInt(m[1], 10, 64)
		if m[2] != "" {
			n2, _ = strconv.ParseInt(m[2], 10, 64)
		}
	}
	switch dt {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		t.kind = kInt
		t.bits = map[string]int{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64}[dt]
		t.bool1 = dt == "tinyint" && n1 == 1
	case "bool", "boolean":
		t.kind, t.bits, t.bool1 = kInt, 8, true
	case "decimal", "numeric", "dec", "fixed":
		t.kind = kDecimal
		t.prec, t.scale = 10, 0
		if c.NumericPrecision != nil {
			t.prec = int(*c.NumericPrecision)
		} else if n1 > 0 {
			t.prec = int(n1)
		}
		if c.NumericScale != nil {
			t.scale = int(*c.NumericScale)
		} else if n2 >= 0 {
			t.scale = int(n2)
		}
	case "float", "double", "real", "double precision":
		t.kind = kFloat
		t.bits = 64
		if dt == "float" {
			t.bits = 32
		}
		t.scale = -1
		if n2 >= 0 { // FLOAT(M,D)
			t.prec, t.scale = int(n1), int(n2)
		}
	case "date":
		t.kind = kDate
	case "datetime":
		t.kind = kDatetime
	case "timestamp":
		t.kind = kTimestamp
	case "time":
		t.kind = kTime
	case "year":
		t.kind = kYear
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		t.kind = kChar
		t.fixed = dt == "char"
		t.length = textLimit(dt, n1, c)
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		t.kind = kBinary
		t.fixed = dt == "binary"
		t.length = textLimit(dt, n1, c)
	case "enum", "set":
		t.kind = kEnum
		if dt == "set" {
			t.kind = kSet
		}
		t.members = parseMembers(c.Type)
	case "bit":
		t.kind = kBit
		t.bits = 1
		if n1 > 0 {
			t.bits = int(n1)
		}
	case "json":
		t.kind = kJSON
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
		"geometrycollection", "geomcollection":
		t.kind = kSpatial
		t.geom = dt
		t.srid = columnSRID(createSQL, c.Name)
	default:
		t.kind = kUnknown
	}
	if t.kind == kDatetime || t.kind == kTimestamp || t.kind == kTime {
		if c.DatetimePrecision != nil {
			t.fsp = int(*c.DatetimePrecision)
		} else if n1 > 0 {
			t.fsp = int(n1)
		}
	}
	// MariaDB reports JSON as longtext with a json_valid CHECK; treat a
	// longtext whose only check is json_valid(col) as JSON (caller decides).
	return t
}

// textLimit is the most a string column may hold: characters for the CHAR
// family, bytes for binaries and for the TEXT family's byte limits (converted
// to a safe character count by the string domain).
func textLimit(dt string, n int64, c *snapshot.Column) int64 {
	switch dt {
	case "char", "varchar", "binary", "varbinary":
		if c.CharMaxLength != nil {
			return *c.CharMaxLength
		}
		if n >= 0 {
			return n
		}
		return 1
	case "tinytext", "tinyblob":
		return 255
	case "text", "blob":
		return 65535
	default: // medium/long: more than any row we generate wants
		return 16777215
	}
}

// parseMembers reads enum('a','b”c') / set(...) members.
func parseMembers(typ string) []string {
	i := strings.IndexByte(typ, '(')
	j := strings.LastIndexByte(typ, ')')
	if i < 0 || j <= i {
		return nil
	}
	s := typ[i+1 : j]
	var out []string
	for k := 0; k < len(s); {
		if s[k] != '\'' {
			k++
			continue
		}
		var b strings.Builder
		k++
		for k < len(s) {
			if s[k] == '\'' {
				if k+1 < len(s) && s[k+1] == '\'' {
					b.WriteByte('\'')
					k += 2
					continue
				}
				k++
				break
			}
			if s[k] == '\\' && k+1 < len(s) {
				b.WriteByte(s[k+1])
				k += 2
				continue
			}
			b.WriteByte(s[k])
			k++
		}
		out = append(out, b.String())
	}
	return out
}

var reSRID = regexp.MustCompile(`(?i)SRID\s+(\d+)`)

// columnSRID finds the SRID attribute of a spatial column in CREATE TABLE
// text (MySQL 8+: "`g` point NOT NULL /*!80003 SRID 4326 */"); -1 if none.
func columnSRID(createSQL, col string) int {
	for _, line := range strings.Split(createSQL, "\n") {
		l := strings.TrimSpace(line)
		if !strings.HasPrefix(l, "`"+col+"`") {
			continue
		}
		if m := reSRID.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return -1
}

// charRepertoire says which characters a text column may hold.
type repertoire int

const (
	repASCII repertoire = iota // latin1, ascii and every other non-Unicode charset
	repBMP                     // utf8mb3 / utf8: no 4-byte characters
	repFull                    // utf8mb4
)

func (t colType) repertoire() repertoire {
	switch t.charset {
	case "utf8mb4", "utf16", "utf16le", "utf32":
		return repFull
	case "utf8", "utf8mb3", "ucs2":
		return repBMP
	case "":
		return repFull
	}
	return repASCII
}

// bytesPerChar is the worst case bytes a generated character may take, used
// to keep TEXT values under their byte limit.
func (t colType) bytesPerChar() int64 {
	switch t.repertoire() {
	case repFull:
		return 4
	case repBMP:
		return 3
	}
	return 1
}

// maxChars is the longest value (in characters for kChar, bytes for
// kBinary) this generator will write to the column.
func (t colType) maxChars() int64 {
	switch t.kind {
	case kChar:
		switch t.name {
		case "char", "varchar":
			return t.length
		}
		return min(t.length/t.bytesPerChar(), 4096)
	case kBinary:
		return min(t.length, 4096)
	}
	return 0
}
