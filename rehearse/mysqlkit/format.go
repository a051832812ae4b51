package mysqlkit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Bytes formats a byte count in IEC units with one decimal: "512 B",
// "3.2 MiB", "-1.5 GiB".
func Bytes(n int64) string {
	f := float64(n)
	for _, u := range []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"} {
		if math.Abs(f) < 1024 || u == "PiB" {
			if u == "B" {
				return fmt.Sprintf("%d B", n)
			}
			return fmt.Sprintf("%.1f %s", f, u)
		}
		f /= 1024
	}
	return ""
}

// BytesShort formats a byte count in IEC units with three significant
// digits and no trailing zeros: "512 B", "128 MiB", "1.5 GiB" (settings).
func BytesShort(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.3g %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// BytesSI formats a byte count in decimal units, as disk sizes are given:
// "1.2 GB", "340 MB", "12 kB".
func BytesSI(b int64) string {
	switch {
	case b >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(b)/1e9)
	case b >= 1e6:
		return fmt.Sprintf("%.0f MB", float64(b)/1e6)
	}
	return fmt.Sprintf("%d kB", b/1000)
}

// Thousands writes an integer with thousands separators: 4,200,000.
func Thousands(n int64) string {
	u := uint64(n)
	if n < 0 {
		u = uint64(-n) // -MinInt64 is MinInt64: read unsigned, it is 2^63
	}
	s := strconv.FormatUint(u, 10)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
