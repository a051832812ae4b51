package datagen

import (
	"strconv"
)

// jsonDomain writes small valid JSON documents; the "id" member is the key,
// so distinct keys give distinct documents.
type jsonDomain struct {
	seed   uint64
	filler []word
}

func (j *jsonDomain) value(dst []byte, k uint64) []byte {
	r := hash2(j.seed, k)
	dst = append(dst, `{"id": `...)
	dst = strconv.AppendUint(dst, k, 10)
	dst = append(dst, `, "name": "`...)
	w := j.filler[below(r, uint64(len(j.filler)))]
	dst = append(dst, w.s...)
	dst = append(dst, `", "active": `...)
	dst = strconv.AppendBool(dst, r&1 == 1)
	dst = append(dst, `, "score": `...)
	dst = strconv.AppendUint(dst, (r>>8)%10000, 10)
	dst = append(dst, `, "tags": [`...)
	n := int((r >> 20) % 4)
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		r = mix64(r)
		dst = append(dst, '"')
		dst = append(dst, j.filler[below(r, uint64(len(j.filler)))].s...)
		dst = append(dst, '"')
	}
	return append(dst, "]}"...)
}
func (j *jsonDomain) safe() bool { return true } // words and digits, no backslash

// geoDomain writes WKT for the column's geometry type (loaded through
// ST_GeomFromText). Coordinates stay within ±80 so they are valid for
// geographic SRIDs in either axis order; the key sets the first point, so
// distinct keys give distinct geometries.
type geoDomain struct {
	geom string
	seed uint64
}

func (g *geoDomain) coord(dst []byte, k, salt uint64) []byte {
	// x from the key (10^-4 degree grid rows), y from a hash.
	x := int64(k%1_600_000) - 800_000
	y := int64(below(hash2(g.seed, k^salt), 1_600_000)) - 800_000
	x += int64(salt%7) * 13
	dst = appendCoord(dst, x)
	dst = append(dst, ' ')
	return appendCoord(dst, y)
}

func appendCoord(dst []byte, v int64) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	dst = strconv.AppendInt(dst, v/10000, 10)
	dst = append(dst, '.')
	return appendPadded(dst, uint64(v%10000), 4)
}

func (g *geoDomain) ring(dst []byte, k uint64) []byte {
	// A small closed square anchored at the key's point.
	x := int64(k%1_600_000) - 800_000
	y := int64(below(hash2(g.seed, k), 1_600_000)) - 800_000
	pts := [][2]int64{{x, y}, {x + 50, y}, {x + 50, y + 50}, {x, y + 50}, {x, y}}
	dst = append(dst, '(')
	for i, p := range pts {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCoord(dst, p[0])
		dst = append(dst, ' ')
		dst = appendCoord(dst, p[1])
	}
	return append(dst, ')')
}

func (g *geoDomain) value(dst []byte, k uint64) []byte {
	switch g.geom {
	case "linestring":
		dst = append(dst, "LINESTRING("...)
		dst = g.coord(dst, k, 0)
		dst = append(dst, ',')
		dst = g.coord(dst, k, 1)
		return append(dst, ')')
	case "polygon":
		dst = append(dst, "POLYGON("...)
		dst = g.ring(dst, k)
		return append(dst, ')')
	case "multipoint":
		dst = append(dst, "MULTIPOINT("...) // MariaDB rejects the ((x y),(x y)) form
		dst = g.coord(dst, k, 0)
		dst = append(dst, ',')
		dst = g.coord(dst, k, 1)
		return append(dst, ')')
	case "multilinestring":
		dst = append(dst, "MULTILINESTRING(("...)
		dst = g.coord(dst, k, 0)
		dst = append(dst, ',')
		dst = g.coord(dst, k, 1)
		return append(dst, "))"...)
	case "multipolygon":
		dst = append(dst, "MULTIPOLYGON(("...)
		dst = g.ring(dst, k)
		return append(dst, "))"...)
	case "geometrycollection", "geomcollection":
		dst = append(dst, "GEOMETRYCOLLECTION(POINT("...)
		dst = g.coord(dst, k, 0)
		return append(dst, "))"...)
	}
	dst = append(dst, "POINT("...)
	dst = g.coord(dst, k, 0)
	return append(dst, ')')
}
func (g *geoDomain) safe() bool { return true }
