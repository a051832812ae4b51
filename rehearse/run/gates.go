package run

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/blocking"
	"github.com/rehearse/rehearse/rehearse/result"
)

// Gate is one pass/fail criterion over a rehearsal's measurements, parsed
// from `--gate NAME=LIMIT` or the `gates:` section of rehearse.yaml.
type Gate struct {
	Name  string
	Limit string // as given
	// Parsed forms: exactly one is meaningful per gate kind.
	Duration time.Duration
	Count    float64
	Factor   float64 // max-p99: "3x" = 3 × baseline p99
	Required bool
	Off      bool // NAME=off: the gate (a default one too) is not applied
	Default  bool // one of DefaultGates, not given by the user
}

// defaultGates are the gates every rehearsal applies unless told
// otherwise (NAME=LIMIT replaces one, NAME=off removes it). Each fails
// what production would suffer whatever the rehearsal's scale:
//
//   - max-writer-stall=5s and max-lock-wait=30s: absolute stalls;
//   - max-stall-share=50%: a statement whose work grows with the table
//     (a table copy, a change under a shared or exclusive lock) that
//     blocks writers for most of its run blocks them for most of its run
//     at production's size too, where the run is long. Measured here
//     (TestDefaultGates): a COPY holds writers for 100% of its run on
//     MariaDB 10.11 and MySQL 9.7; INSTANT and in-place changes are not
//     judged (their stall does not grow with the table: an INSTANT ADD
//     COLUMN on a busy 2-core machine stalled writers 0.13 s of its 0.21 s);
//   - app-compat=required: the previous app version, still running during
//     a rolling deploy and after an app rollback, must work on the new
//     schema.
//
// The limits are rehearse/blocking's: the verdict corpus judges its truth
// by the same numbers.
var defaultGates = []string{
	"max-writer-stall=" + blocking.WriterStall.String(),
	"max-lock-wait=" + blocking.LockWait.String(),
	fmt.Sprintf("max-stall-share=%d%%", blocking.SharePercent),
	"app-compat=required",
}

// DefaultGates are the gates a rehearsal applies unless told otherwise.
func DefaultGates() []Gate {
	var out []Gate
	for _, s := range defaultGates {
		g, err := ParseGate(s)
		if err != nil {
			panic(err) // a typo above
		}
		g.Default = true
		out = append(out, g)
	}
	return out
}

// EffectiveGates are the gates a rehearsal with the given ones applies:
// DefaultGates, each replaced by a given gate of the same name (NAME=off
// removes it), then the given gates that are not defaults. settings lists
// every one with its limit ("off" for a removed one) and whether it is a
// default, for the report.
func EffectiveGates(given []Gate) (gates []Gate, settings []result.GateSetting) {
	byName := map[string]Gate{}
	for _, g := range given {
		byName[g.Name] = g
	}
	seen := map[string]bool{}
	add := func(g Gate) {
		seen[g.Name] = true
		settings = append(settings, result.GateSetting{Name: g.Name, Limit: g.Limit, Default: g.Default})
		if !g.Off {
			gates = append(gates, g)
		}
	}
	for _, d := range DefaultGates() {
		if g, ok := byName[d.Name]; ok {
			add(g)
			continue
		}
		add(d)
	}
	for _, g := range given {
		if !seen[g.Name] {
			add(g)
		}
	}
	return gates, settings
}

// gateKinds lists the gates this build knows and how their limits read.
var gateKinds = map[string]string{
	"max-lock-wait":       "duration", // per statement: the DDL's own metadata-lock wait
	"max-writer-stall":    "duration", // per statement: longest single writer stall it caused
	"max-blocked-writers": "count",    // per statement: distinct writers that waited behind it
	"max-stall-share":     "percent",  // per statement: longest writer stall as a share of its duration
	"max-p99":             "p99",      // per statement: write p99 while it ran (absolute, or Nx baseline)
	"max-error-rate":      "percent",  // whole migration phase: load errors / ops, in percent
	"max-duration":        "duration", // per statement
	"max-total-duration":  "duration", // the whole forward migration phase
	"rollback":            "required", // every down restores the schema
	"app-compat":          "required", // the previous app's statements still work
	"max-replica-lag":     "duration", // per statement: peak heartbeat lag on any replica (rehearsals with replicas)
}

// replicaGate is the gate every rehearsal with replicas applies unless told
// otherwise. 10 s is what replica-lag alerting and online schema change
// tools commonly tolerate (gh-ost and pt-online-schema-change throttle at
// 1.5 s and 1 s). It cannot fail falsely for scale: a replica replays a
// statement only after the primary committed it, so the lag measured at a
// fraction of production's rows is at most what production's replicas
// suffer for the same statement (a table copy's lag grows with the table;
// rehearse capacity predicts it at production's size). What could inflate
// it — the replica starting cold, sharing the machine's cores — is bounded:
// the replicas start on copies of the primary's datadir after its buffer
// pool was warmed by generation, and the lag is measured from the primary's
// acknowledgement of a heartbeat to the replica's having it, so a starved
// client or a stalled primary adds nothing (TestReplicaLagGateDefault).
var replicaGate = "max-replica-lag=10s"

// EffectiveGatesFor is EffectiveGates for a rehearsal with or without
// replicas: with them, max-replica-lag=10s is a default too.
func EffectiveGatesFor(given []Gate, replicas bool) (gates []Gate, settings []result.GateSetting) {
	gates, settings = EffectiveGates(given)
	if !replicas {
		return gates, settings
	}
	for _, g := range given {
		if g.Name == "max-replica-lag" {
			return gates, settings
		}
	}
	g, err := ParseGate(replicaGate)
	if err != nil {
		panic(err)
	}
	g.Default = true
	settings = append(settings, result.GateSetting{Name: g.Name, Limit: g.Limit, Default: true})
	return append(gates, g), settings
}

// writerStall is the longest writer stall a statement caused, whatever
// the writers waited for: the lock monitor's (LongestStallS) or, on a
// Galera cluster, a node writer's longest write (ClusterStall: the
// cluster's commit order or flow control, which no lock shows), with
// " on node-N: its writers waited for ..." when that one is the longer.
func writerStall(s result.Statement) (float64, string) {
	c := s.ClusterStall
	if c == nil || c.S <= s.LongestStallS {
		return s.LongestStallS, ""
	}
	return c.S, fmt.Sprintf(" on %s: its writers waited for %s", c.Node, c.WaitedFor)
}

// StallShareFloor is the shortest writer stall max-stall-share judges.
const StallShareFloor = blocking.ShareFloor

// GateNames lists the known gates, sorted (for help and errors).
func GateNames() []string {
	var out []string
	for k := range gateKinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ParseGate parses "NAME=LIMIT".
func ParseGate(spec string) (Gate, error) {
	name, limit, ok := strings.Cut(strings.TrimSpace(spec), "=")
	if !ok {
		return Gate{}, fmt.Errorf("gate %q: want NAME=LIMIT, e.g. max-lock-wait=5s (gates: %s)", spec, strings.Join(GateNames(), ", "))
	}
	return NewGate(strings.TrimSpace(name), strings.TrimSpace(limit))
}

// NewGate validates a gate's limit for its kind.
func NewGate(name, limit string) (Gate, error) {
	kind, ok := gateKinds[name]
	if !ok {
		return Gate{}, fmt.Errorf("unknown gate %q (gates: %s)", name, strings.Join(GateNames(), ", "))
	}
	if strings.EqualFold(limit, "off") {
		return Gate{Name: name, Limit: "off", Off: true}, nil
	}
	g := Gate{Name: name, Limit: limit}
	var err error
	switch kind {
	case "duration":
		g.Duration, err = time.ParseDuration(limit)
	case "count":
		g.Count, err = strconv.ParseFloat(limit, 64)
	case "percent":
		g.Count, err = strconv.ParseFloat(strings.TrimSuffix(limit, "%"), 64)
	case "p99":
		if f, ok := strings.CutSuffix(strings.ToLower(limit), "x"); ok {
			g.Factor, err = strconv.ParseFloat(f, 64)
		} else {
			g.Duration, err = time.ParseDuration(limit)
		}
	case "required":
		switch strings.ToLower(limit) {
		case "required", "true", "yes":
			g.Required = true
		case "false", "no":
			g.Off = true
		default:
			err = fmt.Errorf("want required or off")
		}
	}
	if err != nil {
		return Gate{}, fmt.Errorf("gate %s=%s: %v", name, limit, err)
	}
	return g, nil
}

// Evaluate checks every gate against the report and returns one result per
// gate and scope (a per-statement gate yields one entry per statement).
func Evaluate(gates []Gate, r *result.Report) []result.Gate {
	var out []result.Gate
	for _, g := range gates {
		out = append(out, evaluate(g, r)...)
	}
	return out
}

func evaluate(g Gate, r *result.Report) []result.Gate {
	perStmt := func(measure func(s result.Statement) (float64, string, bool)) []result.Gate {
		var out []result.Gate
		for _, m := range r.Migrations {
			for _, s := range m.Statements {
				v, shown, applies := measure(s)
				if !applies {
					continue
				}
				out = append(out, result.Gate{
					Name: g.Name, Scope: fmt.Sprintf("%s#%d", m.Version, s.Index), Limit: g.Limit,
					Measured: shown, Value: v, Passed: v <= limitValue(g, r),
				})
			}
		}
		return out
	}
	secs := func(f float64) string {
		return (time.Duration(f * float64(time.Second))).Round(time.Millisecond).String()
	}
	switch g.Name {
	case "max-lock-wait":
		return perStmt(func(s result.Statement) (float64, string, bool) { return s.LockWaitS, secs(s.LockWaitS), true })
	case "max-writer-stall":
		return perStmt(func(s result.Statement) (float64, string, bool) {
			v, why := writerStall(s)
			return v, secs(v) + why, true
		})
	case "max-blocked-writers":
		return perStmt(func(s result.Statement) (float64, string, bool) {
			return float64(s.WritersBlocked), strconv.Itoa(s.WritersBlocked), true
		})
	case "max-stall-share":
		// Scale-free: a table copy holds writers for ~100% of its run at any
		// row count, an online change for a blip. Only statements whose work
		// grows with the table are judged (growsWithTable): an INSTANT
		// change holds its lock for its whole (short) run at any size.
		// Stalls under StallShareFloor are noise at any scale.
		return perStmt(func(s result.Statement) (float64, string, bool) {
			stall, why := writerStall(s)
			if stall < StallShareFloor.Seconds() || s.DurationS <= 0 || !growsWithTable(s) {
				return 0, "", false
			}
			share := min(100, 100*stall/s.DurationS)
			return share, fmt.Sprintf("%.0f%% (%s stall%s, in %s)", share, secs(stall), why, secs(s.DurationS)), true
		})
	case "max-replica-lag":
		return perStmt(func(s result.Statement) (float64, string, bool) {
			if len(s.Replicas) == 0 {
				return 0, "", false
			}
			worst := s.Replicas[0]
			for _, f := range s.Replicas {
				if f.PeakLagS > worst.PeakLagS {
					worst = f
				}
			}
			return worst.PeakLagS, fmt.Sprintf("%s (%s)", secs(worst.PeakLagS), worst.Replica), true
		})
	case "max-duration":
		return perStmt(func(s result.Statement) (float64, string, bool) { return s.DurationS, secs(s.DurationS), true })
	case "max-p99":
		return perStmt(func(s result.Statement) (float64, string, bool) {
			if s.During == nil || s.During.Ops == 0 {
				return 0, "", false
			}
			if g.Factor > 0 {
				return s.P99Ratio, fmt.Sprintf("%.1fx baseline (%.1f ms)", s.P99Ratio, s.During.P99Ms), true
			}
			return s.During.P99Ms / 1000, fmt.Sprintf("%.1f ms", s.During.P99Ms), true
		})
	case "max-total-duration":
		var total float64
		for _, m := range r.Migrations {
			total += m.DurationS
		}
		return []result.Gate{{Name: g.Name, Scope: "total", Limit: g.Limit, Measured: secs(total), Value: total, Passed: total <= g.Duration.Seconds()}}
	case "max-error-rate":
		var ops, errs int64
		for _, m := range r.Migrations {
			for _, s := range m.Statements {
				if s.During == nil {
					continue
				}
				ops += s.During.Ops
				for _, n := range s.During.Errors {
					errs += n
				}
			}
		}
		rate := 0.0
		if ops+errs > 0 {
			rate = 100 * float64(errs) / float64(ops+errs)
		}
		return []result.Gate{{Name: g.Name, Scope: "total", Limit: g.Limit, Measured: fmt.Sprintf("%.2f%% (%d of %d)", rate, errs, ops+errs), Value: rate, Passed: rate <= g.Count}}
	case "rollback":
		if !g.Required {
			return nil
		}
		// The way back works when the downs restore the schema and lose no
		// data: a re-created column without its values is not the
		// database the release started from.
		ok := r.Rollback != nil && r.Rollback.Attempted && r.Rollback.Restores
		measured := "not attempted"
		if r.Rollback != nil && r.Rollback.Attempted {
			measured = "restores the schema"
			if !r.Rollback.Restores {
				measured = fmt.Sprintf("leaves %d difference(s)", len(r.Rollback.Remaining))
			}
			var lost []string
			for _, m := range r.Rollback.Migrations {
				if m.Verdict == "data_lost" {
					lost = append(lost, m.Version)
				}
			}
			if len(lost) > 0 {
				ok = false
				measured += fmt.Sprintf("; loses data (%s)", strings.Join(lost, ", "))
			}
		}
		return []result.Gate{{Name: g.Name, Scope: "total", Limit: "required", Measured: measured, Value: b2f(!ok), Passed: ok}}
	case "app-compat":
		if !g.Required {
			return nil
		}
		ok := r.AppCompat != nil && len(r.AppCompat.Failures) == 0
		measured := "not checked"
		if r.AppCompat != nil {
			measured = fmt.Sprintf("%d of %d statement shapes fail", len(r.AppCompat.Failures), r.AppCompat.Checked)
		} else if g.Default {
			// Asked for explicitly, a check that could not run fails; by
			// default, a release with nothing fully applied (none pending,
			// or a migration failed: that fails on its own) passes it.
			ok, measured = true, "not checked: no migration fully applied"
		}
		return []result.Gate{{Name: g.Name, Scope: "total", Limit: "required", Measured: measured, Value: b2f(!ok), Passed: ok}}
	}
	return nil
}

// growsWithTable tells whether a statement's work, and so the time it
// holds writers, grows with its table: a table copy (the server reported
// copied rows), or a change the server runs under a shared or exclusive
// lock (LOCK=SHARED/EXCLUSIVE was the first it accepted).
func growsWithTable(s result.Statement) bool {
	if s.Strategy == StrategyPTOSC || s.Strategy == StrategyCmd {
		return false // a tool copies in chunks: its stalls do not grow with the table
	}
	return blocking.GrowsWithTable(s.Algorithm, s.VerifiedLock)
}

func limitValue(g Gate, r *result.Report) float64 {
	switch {
	case g.Factor > 0:
		return g.Factor
	case g.Duration > 0:
		return g.Duration.Seconds()
	default:
		return g.Count
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
