package run

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Injection is a fault the rehearsal injects on purpose to reproduce an
// incident.
//
//	long-txn=TABLE:DURATION[@VERSION]  a transaction reads TABLE and stays open
//	                                   for DURATION, started just before the
//	                                   migration VERSION (default: the first)
//	fail-at=VERSION:N                  statement N of migration VERSION fails
type Injection struct {
	Kind     string // "long-txn" or "fail-at"
	Spec     string // as given
	Table    string
	Duration time.Duration
	Version  string
	N        int
}

// ParseInjection parses one --inject value.
func ParseInjection(spec string) (Injection, error) {
	kind, rest, ok := strings.Cut(strings.TrimSpace(spec), "=")
	if !ok {
		return Injection{}, fmt.Errorf("inject %q: want long-txn=TABLE:DURATION[@VERSION] or fail-at=VERSION:N", spec)
	}
	in := Injection{Kind: kind, Spec: spec}
	switch kind {
	case "long-txn":
		body, version, _ := strings.Cut(rest, "@")
		table, dur, ok := strings.Cut(body, ":")
		if !ok || table == "" {
			return Injection{}, fmt.Errorf("inject %q: want long-txn=TABLE:DURATION[@VERSION], e.g. long-txn=investments:5s", spec)
		}
		d, err := time.ParseDuration(dur)
		if err != nil || d <= 0 {
			return Injection{}, fmt.Errorf("inject %q: %q is not a positive duration (e.g. 5s)", spec, dur)
		}
		in.Table, in.Duration, in.Version = table, d, version
	case "fail-at":
		version, n, ok := strings.Cut(rest, ":")
		i, err := strconv.Atoi(n)
		if !ok || version == "" || err != nil || i < 1 {
			return Injection{}, fmt.Errorf("inject %q: want fail-at=VERSION:N with N ≥ 1 the statement's position in the migration", spec)
		}
		in.Version, in.N = version, i
	default:
		return Injection{}, fmt.Errorf("inject %q: unknown kind %q (long-txn, fail-at)", spec, kind)
	}
	return in, nil
}
