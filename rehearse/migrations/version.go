package migrations

// CompareVersions orders two migration versions as the runners order them:
// runs of digits compare by value, of any length and without overflow
// ("20190101000000000001" > "9", "000012" = "12"), everything else byte by
// byte ("1.10" > "1.9", "V2" > "V10" only where the letters differ). It is
// the one version comparison of rehearse: formats, history readers and the
// pending set all order versions through it.
func CompareVersions(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			if c := compareDigits(a[si:i], b[sj:j]); c != 0 {
				return c
			}
			continue
		}
		if a[i] != b[j] {
			if a[i] < b[j] {
				return -1
			}
			return 1
		}
		i++
		j++
	}
	switch {
	case len(a)-i < len(b)-j:
		return -1
	case len(a)-i > len(b)-j:
		return 1
	}
	return 0
}

// compareDigits compares two digit strings by value.
func compareDigits(a, b string) int {
	a, b = numKey(a), numKey(b)
	switch {
	case len(a) != len(b):
		if len(a) < len(b) {
			return -1
		}
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// VersionLess reports whether version a comes before b (CompareVersions).
func VersionLess(a, b string) bool { return CompareVersions(a, b) < 0 }

// numKey strips leading zeros from a decimal version ("000012" -> "12").
func numKey(v string) string {
	i := 0
	for i < len(v)-1 && v[i] == '0' {
		i++
	}
	return v[i:]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
