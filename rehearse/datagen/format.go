package datagen

import (
	"strconv"
)

// Formatting of numeric and temporal values without the time package: these
// run for every generated value, so they append digits directly.

func fmtSigned(dst []byte, v uint64) []byte   { return strconv.AppendInt(dst, int64(v), 10) }
func fmtUnsigned(dst []byte, v uint64) []byte { return strconv.AppendUint(dst, v, 10) }

// fmtFixed renders a signed integer count of 10^-scale units as a decimal.
func fmtFixed(scale int) func([]byte, uint64) []byte {
	if scale <= 0 {
		return fmtSigned
	}
	var pow uint64 = 1
	for i := 0; i < scale; i++ {
		pow *= 10
	}
	return func(dst []byte, v uint64) []byte {
		s := int64(v)
		if s < 0 {
			dst = append(dst, '-')
			s = -s
		}
		u := uint64(s)
		dst = strconv.AppendUint(dst, u/pow, 10)
		dst = append(dst, '.')
		return appendPadded(dst, u%pow, scale)
	}
}

func appendPadded(dst []byte, v uint64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v > 0 || i > len(buf)-width {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if i == 0 {
			break
		}
	}
	return append(dst, buf[i:]...)
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's algorithm).
func civil(days int64) (y int64, m, d int) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFromCivil is civil's inverse.
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mm := int64(m)
	if mm > 2 {
		mm -= 3
	} else {
		mm += 9
	}
	doy := (153*mm+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func appendDate(dst []byte, days int64) []byte {
	y, m, d := civil(days)
	yy := uint64(y)
	return append(dst, byte('0'+yy/1000%10), byte('0'+yy/100%10), byte('0'+yy/10%10), byte('0'+yy%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

func append2(dst []byte, v uint64) []byte { return append(dst, byte('0'+v/10%10), byte('0'+v%10)) }

func fmtDate(dst []byte, v uint64) []byte { return appendDate(dst, int64(v)) }

// fmtDatetime renders units of 10^-fsp seconds since 1970-01-01 00:00:00.
func fmtDatetime(fsp int) func([]byte, uint64) []byte {
	var pow int64 = 1
	for i := 0; i < fsp; i++ {
		pow *= 10
	}
	return func(dst []byte, v uint64) []byte {
		u := int64(v)
		secs, frac := u/pow, u%pow
		if frac < 0 {
			secs--
			frac += pow
		}
		days, sod := secs/86400, secs%86400
		if sod < 0 {
			days--
			sod += 86400
		}
		dst = appendDate(dst, days)
		dst = append(dst, ' ')
		dst = appendClock(dst, uint64(sod))
		if fsp > 0 {
			dst = append(dst, '.')
			dst = appendPadded(dst, uint64(frac), fsp)
		}
		return dst
	}
}

func appendClock(dst []byte, sod uint64) []byte {
	if h := sod / 3600; h < 100 {
		dst = append2(dst, h)
	} else {
		dst = appendPadded(dst, h, 2)
	}
	dst = append(dst, ':')
	dst = append2(dst, sod/60%60)
	dst = append(dst, ':')
	return append2(dst, sod%60)
}

// fmtTime renders signed units of 10^-fsp seconds as [-]HHH:MM:SS[.f].
func fmtTime(fsp int) func([]byte, uint64) []byte {
	var pow int64 = 1
	for i := 0; i < fsp; i++ {
		pow *= 10
	}
	return func(dst []byte, v uint64) []byte {
		u := int64(v)
		if u < 0 {
			dst = append(dst, '-')
			u = -u
		}
		secs, frac := uint64(u/pow), uint64(u%pow)
		dst = appendClock(dst, secs)
		if fsp > 0 {
			dst = append(dst, '.')
			dst = appendPadded(dst, frac, fsp)
		}
		return dst
	}
}
