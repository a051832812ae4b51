package scenarios

import (
	"fmt"
	"strconv"
	"strings"
)

// target restricts an assertion to some servers: a flavor, optionally with a
// version bound ("mariadb", "mariadb<11.2", "mysql>=9.0").
type target struct {
	flavor  string
	op      string // "", "<", "<=", ">", ">=", "="
	version []int
}

func parseTarget(s string) (target, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	for _, op := range []string{"<=", ">=", "<", ">", "="} {
		if f, v, ok := strings.Cut(s, op); ok {
			ver, err := parseVersion(v)
			if err != nil {
				return target{}, err
			}
			t := target{flavor: strings.TrimSpace(f), op: op, version: ver}
			return t, t.checkFlavor()
		}
	}
	t := target{flavor: s}
	return t, t.checkFlavor()
}

func (t target) checkFlavor() error {
	if t.flavor != "mysql" && t.flavor != "mariadb" {
		return fmt.Errorf("flavor %q: use mysql or mariadb", t.flavor)
	}
	return nil
}

func parseVersion(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if i := strings.IndexFunc(s, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i >= 0 {
		s = s[:i] // "10.11.19-MariaDB" -> "10.11.19"
	}
	var out []int
	for _, p := range strings.Split(s, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("version %q: write numbers like 10.11", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// matches tells whether a server of this flavor and version is targeted.
// Only the components the bound names are compared ("<11.2" holds for
// 10.11.19 and not for 11.2.1).
func (t target) matches(flavor, version string) bool {
	if !strings.EqualFold(t.flavor, flavor) {
		return false
	}
	if t.op == "" {
		return true
	}
	v, err := parseVersion(version)
	if err != nil {
		return false
	}
	c := 0
	for i := range t.version {
		x := 0
		if i < len(v) {
			x = v[i]
		}
		if x != t.version[i] {
			if x < t.version[i] {
				c = -1
			} else {
				c = 1
			}
			break
		}
	}
	switch t.op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return c == 0
}

// targeted tells whether a comma-separated list of targets includes the
// server; an invalid list is an error.
func targeted(list, flavor, version string) (bool, error) {
	hit := false
	for _, part := range strings.Split(list, ",") {
		t, err := parseTarget(part)
		if err != nil {
			return false, err
		}
		if t.matches(flavor, version) {
			hit = true
		}
	}
	return hit, nil
}
