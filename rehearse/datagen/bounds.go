package datagen

import (
	"math"
	"strconv"
	"strings"
)

// Numeric and temporal columns are generated as integers in the type's units:
// integers, decimal units of 10^-scale, days (DATE), 10^-fsp seconds
// (DATETIME, TIMESTAMP, TIME), years. bounds are signed (two's complement in
// uint64 when unsigned=false).

// typeLimits returns the legal range of the type in its units.
func typeLimits(t colType) (lo, hi int64, ulo, uhi uint64, unsigned bool) {
	switch t.kind {
	case kInt:
		if t.unsigned {
			if t.bits == 64 {
				return 0, 0, 0, math.MaxUint64, true
			}
			return 0, 0, 0, 1<<uint(t.bits) - 1, true
		}
		if t.bits == 64 {
			return math.MinInt64, math.MaxInt64, 0, 0, false
		}
		return -(1 << uint(t.bits-1)), 1<<uint(t.bits-1) - 1, 0, 0, false
	case kDecimal:
		digits := min(t.prec, 18)
		lim := pow10(digits) - 1
		if t.unsigned {
			return 0, lim, 0, 0, false
		}
		return -lim, lim, 0, 0, false
	case kFloat:
		lim := pow10(min(floatDigits(t), 18)) - 1
		if t.unsigned {
			return 0, lim, 0, 0, false
		}
		return -lim, lim, 0, 0, false
	case kDate:
		return daysFromCivil(1000, 1, 1), daysFromCivil(9999, 12, 31), 0, 0, false
	case kDatetime:
		p := pow10(t.fsp)
		return daysFromCivil(1000, 1, 1) * 86400 * p, (daysFromCivil(9999, 12, 31)*86400+86399)*p + p - 1, 0, 0, false
	case kTimestamp:
		p := pow10(t.fsp)
		return 1 * p, 2147483647*p + p - 1, 0, 0, false
	case kTime:
		p := pow10(t.fsp)
		lim := (838*3600+59*60+59)*p + 0
		return -lim, lim, 0, 0, false
	case kYear:
		return 1901, 2155, 0, 0, false
	case kBit:
		if t.bits >= 64 {
			return 0, 0, 0, math.MaxUint64, true
		}
		return 0, 0, 0, 1<<uint(t.bits) - 1, true
	}
	return 0, 0, 0, 0, false
}

// floatDigits is how many significant digits a generated float keeps so that
// the stored value is the written one (FLOAT keeps ~7).
func floatDigits(t colType) int {
	if t.prec > 0 {
		return t.prec
	}
	if t.bits == 32 {
		return 6
	}
	return 15
}

func floatScale(t colType) int {
	if t.scale >= 0 {
		return t.scale
	}
	return 2
}

func pow10(n int) int64 {
	p := int64(1)
	for i := 0; i < n && i < 18; i++ {
		p *= 10
	}
	return p
}

// unitScale is the decimal scale of a kind's units (for parsing stats).
func unitScale(t colType) int {
	switch t.kind {
	case kDecimal:
		return t.scale
	case kFloat:
		return floatScale(t)
	}
	return 0
}

// parseBound reads a statistics min/max string into the type's units.
func parseBound(t colType, s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	switch t.kind {
	case kInt, kYear, kBit:
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return v, true
		}
		if v, err := strconv.ParseUint(s, 10, 64); err == nil && v <= math.MaxInt64 {
			return int64(v), true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && math.Abs(f) < 9e18 {
			return int64(f), true
		}
	case kDecimal, kFloat:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, false
		}
		u := f * float64(pow10(unitScale(t)))
		if math.Abs(u) > 9e18 {
			return 0, false
		}
		return int64(math.Round(u)), true
	case kDate:
		if len(s) >= 10 {
			if d, ok := parseDate(s[:10]); ok {
				return d, true
			}
		}
	case kDatetime, kTimestamp:
		d, ok := parseDate(s[:min(10, len(s))])
		if !ok {
			return 0, false
		}
		secs := d * 86400
		var frac int64
		if len(s) >= 19 {
			c, ok := parseClock(s[11:19])
			if !ok {
				return 0, false
			}
			secs += c
			if len(s) > 20 && s[19] == '.' {
				frac = parseFrac(s[20:], t.fsp)
			}
		}
		return secs*pow10(t.fsp) + frac, true
	case kTime:
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		main, fr, _ := strings.Cut(s, ".")
		parts := strings.Split(main, ":")
		if len(parts) != 3 {
			return 0, false
		}
		h, e1 := strconv.ParseInt(parts[0], 10, 64)
		m, e2 := strconv.ParseInt(parts[1], 10, 64)
		sec, e3 := strconv.ParseInt(parts[2], 10, 64)
		if e1 != nil || e2 != nil || e3 != nil {
			return 0, false
		}
		v := (h*3600+m*60+sec)*pow10(t.fsp) + parseFrac(fr, t.fsp)
		if neg {
			v = -v
		}
		return v, true
	}
	return 0, false
}

func parseDate(s string) (int64, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, e1 := strconv.Atoi(s[:4])
	m, e2 := strconv.Atoi(s[5:7])
	d, e3 := strconv.Atoi(s[8:10])
	if e1 != nil || e2 != nil || e3 != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, false // zero dates included: not a usable bound
	}
	return daysFromCivil(int64(y), m, d), true
}

func parseClock(s string) (int64, bool) {
	if len(s) != 8 || s[2] != ':' || s[5] != ':' {
		return 0, false
	}
	h, e1 := strconv.Atoi(s[:2])
	m, e2 := strconv.Atoi(s[3:5])
	sec, e3 := strconv.Atoi(s[6:8])
	if e1 != nil || e2 != nil || e3 != nil {
		return 0, false
	}
	return int64(h*3600 + m*60 + sec), true
}

func parseFrac(s string, fsp int) int64 {
	var v int64
	for i := 0; i < fsp; i++ {
		v *= 10
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			v += int64(s[i] - '0')
		}
	}
	return v
}

// defaultRange is the range used when the snapshot has no min/max: values a
// production table would plausibly hold, within the type's limits.
func defaultRange(t colType, h *hint) (lo, hi int64) {
	day := func(y int64, m, d int) int64 { return daysFromCivil(y, m, d) }
	from, to := day(2015, 1, 1), day(2025, 12, 31)
	if h != nil && h.years[0] != 0 {
		from, to = day(h.years[0], 1, 1), day(h.years[1], 12, 31)
	}
	switch t.kind {
	case kInt:
		if t.bool1 {
			return 0, 1
		}
		if h != nil && h.intRng[1] != 0 {
			return h.intRng[0], h.intRng[1]
		}
		return 0, 1_000_000
	case kDecimal, kFloat:
		p := pow10(unitScale(t))
		hiV := int64(10_000)
		if h != nil && h.intRng[1] != 0 {
			return h.intRng[0] * p, h.intRng[1] * p
		}
		return 0, hiV * p
	case kDate:
		return from, to
	case kDatetime, kTimestamp:
		p := pow10(t.fsp)
		return from * 86400 * p, (to*86400 + 86399) * p
	case kTime:
		return 0, 86399 * pow10(t.fsp)
	case kYear:
		return 1990, 2025
	case kBit:
		return 0, int64(min(uint64(1)<<uint(min(t.bits, 62))-1, math.MaxInt64))
	}
	return 0, 0
}
