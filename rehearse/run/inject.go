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
//	long-txn=TABLE:DURATION[@VERSION[#N]][,lead=LEAD]
//	    a transaction reads TABLE and stays open for DURATION, started LEAD
//	    (default 200 ms) before statement N (default 1) of the migration
//	    VERSION (default: the first) starts: the statement then waits
//	    DURATION − LEAD for its metadata lock
//	fail-at=VERSION:N
//	    statement N of migration VERSION fails
type Injection struct {
	Kind     string // "long-txn" or "fail-at"
	Spec     string // as given
	Table    string
	Duration time.Duration
	Version  string
	N        int
	// Statement is the statement of Version the long transaction opens
	// before (0 and 1: the migration's first); Lead how long before it
	// starts (0: settle).
	Statement int
	Lead      time.Duration
}

// lead is how long before its statement the transaction opens.
func (in Injection) lead() time.Duration {
	if in.Lead > 0 {
		return in.Lead
	}
	return settle
}

// before tells whether the long transaction opens before statement n
// (1-based) of migration m (first: m is the first pending migration).
func (in Injection) before(version, key string, n int, first bool) bool {
	if in.Kind != "long-txn" {
		return false
	}
	if in.Version == "" {
		return first && n == 1
	}
	if in.Version != version && in.Version != key {
		return false
	}
	want := in.Statement
	if want < 1 {
		want = 1
	}
	return n == want
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
		parts := strings.Split(rest, ",")
		body, version, _ := strings.Cut(parts[0], "@")
		table, dur, ok := strings.Cut(body, ":")
		if !ok || table == "" {
			return Injection{}, fmt.Errorf("inject %q: want long-txn=TABLE:DURATION[@VERSION[#N]][,lead=LEAD], e.g. long-txn=investments:5s", spec)
		}
		d, err := time.ParseDuration(dur)
		if err != nil || d <= 0 {
			return Injection{}, fmt.Errorf("inject %q: %q is not a positive duration (e.g. 5s)", spec, dur)
		}
		in.Table, in.Duration, in.Version = table, d, version
		if v, n, ok := strings.Cut(version, "#"); ok {
			i, err := strconv.Atoi(n)
			if v == "" || err != nil || i < 1 {
				return Injection{}, fmt.Errorf("inject %q: @VERSION#N wants N ≥ 1, the statement's position in the migration", spec)
			}
			in.Version, in.Statement = v, i
		}
		for _, opt := range parts[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(opt), "=")
			if k != "lead" {
				return Injection{}, fmt.Errorf("inject %q: unknown option %q (lead=DURATION)", spec, opt)
			}
			l, err := time.ParseDuration(v)
			if err != nil || l <= 0 || l >= d {
				return Injection{}, fmt.Errorf("inject %q: lead=%s: want a positive duration shorter than the transaction's %s", spec, v, d)
			}
			in.Lead = l
		}
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
