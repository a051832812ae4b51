package load

// TEMPORARY: a minimal value function per column type, until
// rehearse/datagen exports a row generator. Replace valueFor with a call
// into datagen then; nothing else in this package depends on how values
// are made.

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/rehearse/rehearse/snapshot"
)

// valueFor returns a value valid for column c under the pre-release schema.
// When unique is set the value is distinct for every seq within one run
// (salt tells runs apart), for columns of a primary or unique key.
func valueFor(c *snapshot.Column, r *rand.Rand, unique bool, salt, seq uint64) any {
	dt := strings.ToLower(c.DataType)
	unsigned := strings.Contains(strings.ToLower(c.Type), "unsigned")
	switch dt {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		lo, hi := intRange(dt, unsigned)
		if unique {
			// Count down from the top of the range: generated data and
			// auto-increment values fill it from the bottom.
			v := hi - int64((salt<<20)+seq)%(hi-lo)
			return v
		}
		if dt == "tinyint" && strings.HasPrefix(strings.ToLower(c.Type), "tinyint(1)") {
			return r.IntN(2)
		}
		top := hi
		if top > 1<<30 {
			top = 1 << 30
		}
		if lo < 0 {
			return r.Int64N(top)
		}
		return r.Int64N(top) + lo
	case "decimal", "numeric":
		p, s := int64(10), int64(0)
		if c.NumericPrecision != nil {
			p = *c.NumericPrecision
		}
		if c.NumericScale != nil {
			s = *c.NumericScale
		}
		intDigits := p - s
		if intDigits > 9 {
			intDigits = 9
		}
		ip := int64(0)
		if intDigits > 0 {
			ip = r.Int64N(pow10(intDigits))
		}
		if s == 0 {
			return strconv.FormatInt(ip, 10)
		}
		fd := s
		if fd > 9 {
			fd = 9
		}
		return fmt.Sprintf("%d.%0*d", ip, fd, r.Int64N(pow10(fd)))
	case "float", "double", "real":
		return float64(r.IntN(1000000)) / 100
	case "bit":
		return r.IntN(2)
	case "year":
		return 2000 + r.IntN(30)
	case "date":
		return randomTime(r).Format("2006-01-02")
	case "datetime", "timestamp":
		return randomTime(r).Format("2006-01-02 15:04:05")
	case "time":
		return fmt.Sprintf("%02d:%02d:%02d", r.IntN(24), r.IntN(60), r.IntN(60))
	case "enum":
		if vals := enumValues(c.Type); len(vals) > 0 {
			return vals[r.IntN(len(vals))]
		}
		return ""
	case "set":
		if vals := enumValues(c.Type); len(vals) > 0 {
			return vals[r.IntN(len(vals))]
		}
		return ""
	case "json":
		return fmt.Sprintf(`{"k":%d}`, r.IntN(1000))
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob",
		"char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		max := int64(32)
		if c.CharMaxLength != nil && *c.CharMaxLength < max {
			max = *c.CharMaxLength
		}
		if unique {
			s := strconv.FormatUint(salt, 36) + "-" + strconv.FormatUint(seq, 36)
			if int64(len(s)) > max {
				s = s[int64(len(s))-max:]
			}
			return s
		}
		if dt == "char" || dt == "binary" {
			return randomString(r, int(max))
		}
		n := int64(1)
		if max > 1 {
			n = 1 + r.Int64N(max)
		}
		return randomString(r, int(n))
	}
	if c.Nullable {
		return nil
	}
	return "0"
}

func intRange(dt string, unsigned bool) (int64, int64) {
	bits := map[string]uint{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64}[dt]
	if unsigned {
		if bits == 64 {
			return 0, 1<<63 - 1
		}
		return 0, 1<<bits - 1
	}
	return -(1 << (bits - 1)), 1<<(bits-1) - 1
}

func pow10(n int64) int64 {
	v := int64(1)
	for ; n > 0; n-- {
		v *= 10
	}
	return v
}

var epoch = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

func randomTime(r *rand.Rand) time.Time {
	return epoch.Add(time.Duration(r.Int64N(int64(10 * 365 * 24 * time.Hour))))
}

const letters = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return string(b)
}

// enumValues parses "enum('a','b”c')" into its values.
func enumValues(typ string) []string {
	open := strings.IndexByte(typ, '(')
	close := strings.LastIndexByte(typ, ')')
	if open < 0 || close <= open {
		return nil
	}
	body := typ[open+1 : close]
	var out []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(body); i++ {
		ch := body[i]
		switch {
		case !in && ch == '\'':
			in = true
		case in && ch == '\'' && i+1 < len(body) && body[i+1] == '\'':
			cur.WriteByte('\'')
			i++
		case in && ch == '\'':
			in = false
			out = append(out, cur.String())
			cur.Reset()
		case in && ch == '\\' && i+1 < len(body):
			i++
			cur.WriteByte(body[i])
		case in:
			cur.WriteByte(ch)
		}
	}
	return out
}
