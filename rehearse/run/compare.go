package run

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/result"
)

// Compare rehearses the release once per strategy, each on the same data
// (the data cache's filled datadir when opts.DataCache is set, else the
// same seed regenerated) under the same load, with the strategy applied to
// every ALTER TABLE and CREATE INDEX of the release, and puts the
// statements' figures side by side with a recommendation for each
// (rehearse compare; docs/strategies.md).
func Compare(ctx context.Context, opts Options, strategies []string) (*result.Comparison, error) {
	if err := CheckStrategyList(strategies); err != nil {
		return nil, err
	}
	if opts.MigrateCommand != nil {
		return nil, rehearse.WithHint(errors.New("rehearse compare works on migration files, not --migrate-cmd"), "give --migrations DIR")
	}
	for _, s := range strategies {
		o := opts
		o.Strategy.Name = s
		if err := o.Check(); err != nil {
			return nil, err
		}
	}
	cmp := &result.Comparison{Format: result.FormatCompareV1, Tool: opts.Tool, Strategies: strategies}
	// What is provably the same for every strategy is measured once, and
	// the next strategy's server starts while the previous rehearsal
	// finishes (compareshare.go).
	share := &compareShare{}
	defer func() { share.next.release(); share.prev.release(); share.stops.Wait() }()
	for i, s := range strategies {
		o := opts
		o.Strategy.Name = s
		o.Strategy.all = true
		o.share = share
		share.prev.release() // not claimed by the last rehearsal: stopped
		share.prev, share.next, share.startNext = share.next, nil, nil
		if i+1 < len(strategies) {
			share.startNext = func() { share.next = startNextServer(ctx, opts, s) }
		}
		if o.Progress != nil {
			o.Progress("strategy", fmt.Sprintf("%s (%d of %d)", s, i+1, len(strategies)))
		}
		rep, err := Run(ctx, o)
		if rep == nil {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if i == 0 {
			cmp.Inputs = rep.Inputs
		}
		sr := result.StrategyResult{Strategy: s, Verdict: rep.Verdict, Reason: rep.Reason, Report: rep,
			DurationS: rep.FinishedAt.Sub(rep.StartedAt).Seconds()}
		if err != nil && sr.Reason == "" {
			sr.Reason = err.Error()
		}
		for _, p := range rep.Phases {
			if p.Name == "generate" && p.Status == "cached" {
				sr.Cached = true
			}
		}
		if rep.Baseline != nil {
			sr.BaselineP99 = rep.Baseline.P99Ms
		}
		if st := rep.Strategy; st != nil {
			sr.Checksums, sr.SchemaDigest, sr.Leftovers = st.Checksums, st.SchemaDigest, st.Leftovers
		}
		cmp.Runs = append(cmp.Runs, sr)
	}
	cmp.SameData, cmp.SameDataNote = sameData(cmp.Runs)
	cmp.Statements = compareStatements(cmp.Runs)
	return cmp, nil
}

// CheckStrategyList checks --strategies: two or more known strategies,
// each once.
func CheckStrategyList(strategies []string) error {
	if len(strategies) < 2 {
		return rehearse.WithHint(errors.New("--strategies names fewer than two strategies"), "e.g. --strategies native,pt-osc")
	}
	seen := map[string]bool{}
	for _, s := range strategies {
		if err := checkStrategyName("--strategies", s); err != nil {
			return err
		}
		if seen[s] {
			return rehearse.WithHint(fmt.Errorf("--strategies names %s twice", s), "name each strategy once")
		}
		seen[s] = true
	}
	return nil
}

// sameData: every rehearsal that got to its data saw the same checksums.
func sameData(runs []result.StrategyResult) (bool, string) {
	var ref *result.StrategyResult
	for i := range runs {
		r := &runs[i]
		if len(r.Checksums) == 0 {
			continue
		}
		if ref == nil {
			ref = r
			continue
		}
		for t, sum := range ref.Checksums {
			if r.Checksums[t] != sum {
				return false, fmt.Sprintf("table %s: checksum %s under %s, %s under %s", t, sum, ref.Strategy, r.Checksums[t], r.Strategy)
			}
		}
	}
	if ref == nil {
		return false, "no rehearsal got as far as its data"
	}
	var tables []string
	for t, sum := range ref.Checksums {
		tables = append(tables, t+"="+sum)
	}
	sort.Strings(tables)
	return true, "CHECKSUM TABLE before the load, identical under every strategy: " + strings.Join(tables, ", ")
}

// compareStatements lists every up statement some strategy applied other
// than as written, with each strategy's figures and a recommendation.
func compareStatements(runs []result.StrategyResult) []result.CompareStatement {
	type key struct {
		version string
		index   int
	}
	var order []key
	stmts := map[key]*result.CompareStatement{}
	for _, r := range runs {
		if r.Report == nil {
			continue
		}
		for _, m := range r.Report.Migrations {
			for _, s := range m.Statements {
				k := key{m.Version, s.Index}
				if _, ok := stmts[k]; ok || s.Strategy == "" && !isDDL(s.SQL) {
					continue
				}
				if _, ok := readAlter(s.SQL); !ok {
					continue
				}
				stmts[k] = &result.CompareStatement{Version: m.Version, Index: s.Index, SQL: firstLine(s.SQL), Table: s.Table, Rows: s.TableRows}
				order = append(order, k)
			}
		}
	}
	var out []result.CompareStatement
	for _, k := range order {
		cs := stmts[k]
		var refDigest, refCreate string
		for _, r := range runs {
			f := result.StrategyFigures{Strategy: r.Strategy, Status: "not_run"}
			if r.Report == nil || r.Verdict == result.Error && len(r.Report.Migrations) == 0 {
				f.Error = r.Reason
				cs.By = append(cs.By, f)
				continue
			}
			s, ok := findStatement(r.Report, k.version, k.index)
			if !ok {
				f.Error = r.Reason
				cs.By = append(cs.By, f)
				continue
			}
			f.Status, f.Error, f.Algorithm = s.Status, s.Error, s.Algorithm
			if f.Status == "" {
				f.Status = "ok"
			}
			f.DurationS, f.WritersBlocked, f.LongestStallS = s.DurationS, s.WritersBlocked, s.LongestStallS
			f.BlockedShare, f.BlockedShareOutsideCutOver, f.CutOverStallS = s.BlockedShare, s.BlockedShareOutsideCutOver, s.CutOverStallS
			f.ToolOutput = s.ToolOutput
			f.GrowsWithTable = growsWithTable(s) && s.BlockedShare >= 0.5
			if s.During != nil {
				f.P99Ms = s.During.P99Ms
				for _, n := range s.During.Errors {
					f.WriteErrors += n
				}
				f.WriteErrorClasses = s.During.Errors
			}
			f.P99Ratio = s.P99Ratio
			f.ExtraDiskBytes = s.TempBytes
			if s.Resources != nil {
				f.RedoBytes = s.Resources.LogBytes
			}
			f.ReplicaLagS = s.MaxReplicaLag()
			if r.Report.Strategy != nil && f.Status == "ok" {
				d := r.Report.Strategy.TableDigests[cs.Table]
				if cs.Table == "" {
					if ap, ok := readAlter(s.SQL); ok {
						d = r.Report.Strategy.TableDigests[ap.Table]
					}
				}
				table := cs.Table
				if table == "" {
					if ap, ok := readAlter(s.SQL); ok {
						table = ap.Table
					}
				}
				create := r.Report.Strategy.Tables[table]
				if refDigest == "" {
					refDigest, refCreate = d, create
				}
				same := d == refDigest && len(r.Leftovers) == 0
				f.SchemaIdentical = &same
				if d != refDigest {
					f.SchemaDiff = lineDiff(refCreate, create)
				}
				for _, l := range r.Leftovers {
					f.SchemaDiff = append(f.SchemaDiff, "left behind: "+l)
				}
			}
			if s.Strategy == "" && r.Strategy != StrategyNative && f.Status == "ok" {
				f.Error = "run as written: " + strings.Join(s.ToolOutput, "; ")
			}
			cs.By = append(cs.By, f)
		}
		cs.Recommended, cs.Why = recommend(cs)
		out = append(out, *cs)
	}
	return out
}

func findStatement(rep *result.Report, version string, index int) (result.Statement, bool) {
	for _, m := range rep.Migrations {
		if m.Version != version {
			continue
		}
		for _, s := range m.Statements {
			if s.Index == index {
				return s, s.Status != "not_run"
			}
		}
	}
	return result.Statement{}, false
}

// StallTolerance is how much longer a stall may be and still count as the
// same: the monitor's accuracy for waits (docs/strategies.md).
const StallTolerance = 0.05

// worst is the longest a writer waited: behind the statement, or in flight
// at its cut-over.
func worst(f result.StrategyFigures) float64 { return max(f.LongestStallS, f.CutOverStallS) }

// recommend chooses the strategy for one statement from its figures,
// among the strategies that applied it and left the same table: those
// that did not block writers for most of a run that grows with the table
// (a blocking copy, whose stall at production's rows is that much longer)
// first; among them the shortest worst stall (the longest a writer waited,
// cut-over included), native when it is within StallTolerance of it (no
// tool, no copy), then the fastest.
func recommend(cs *result.CompareStatement) (string, string) {
	var ok []result.StrategyFigures
	var failed []string
	for _, f := range cs.By {
		switch {
		case f.Status != "ok":
			failed = append(failed, fmt.Sprintf("%s failed (%s)", f.Strategy, truncate(f.Error, 140)))
		case f.SchemaIdentical != nil && !*f.SchemaIdentical:
			failed = append(failed, fmt.Sprintf("%s left a different table (%s)", f.Strategy, strings.Join(f.SchemaDiff, "; ")))
		default:
			ok = append(ok, f)
		}
	}
	if len(ok) == 0 {
		return "none", "no strategy applied it: " + strings.Join(failed, "; ")
	}
	sort.SliceStable(ok, func(i, j int) bool {
		a, b := ok[i], ok[j]
		if a.GrowsWithTable != b.GrowsWithTable {
			return !a.GrowsWithTable
		}
		if d := worst(a) - worst(b); d < -StallTolerance || d > StallTolerance {
			return d < 0
		}
		if (a.Strategy == StrategyNative) != (b.Strategy == StrategyNative) {
			return a.Strategy == StrategyNative
		}
		return a.DurationS < b.DurationS
	})
	best := ok[0]
	describe := func(f result.StrategyFigures) string {
		name := f.Strategy
		if f.Strategy == StrategyNative && f.Algorithm != "" {
			name += " (" + f.Algorithm + ")"
		}
		d := fmt.Sprintf("%s took %s, longest writer stall %s (cut-over %s), writers blocked %.1f%% of the time", name, secsText(f.DurationS), secsText(worst(f)), secsText(f.CutOverStallS), 100*f.BlockedShare)
		if f.GrowsWithTable {
			d += ", a blocking table copy: at production's rows that stall grows with the table"
		}
		return d
	}
	why := describe(best)
	for _, f := range ok[1:] {
		why += "; " + describe(f)
	}
	switch {
	case len(ok) == 1:
		why += " — the only strategy that applied it and left the same table"
	case best.Strategy == StrategyNative:
		why += " — native stalls writers no longer than a tool would: an online tool only adds a table copy"
	case best.GrowsWithTable:
		why += " — every strategy blocked writers for most of its run"
	default:
		why += fmt.Sprintf(" — %s stalls writers the least", best.Strategy)
	}
	if len(failed) > 0 {
		why += "; " + strings.Join(failed, "; ")
	}
	return best.Strategy, why
}

func secsText(s float64) string {
	switch {
	case s < 1:
		return fmt.Sprintf("%.0f ms", 1000*s)
	default:
		return fmt.Sprintf("%.2f s", s)
	}
}

// lineDiff lists the lines of two definitions that differ: "- " a's only,
// "+ " b's only (order kept, trailing commas ignored).
func lineDiff(a, b string) []string {
	norm := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSuffix(strings.TrimSpace(l), ","); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	al, bl := norm(a), norm(b)
	in := func(l string, set []string) bool {
		for _, x := range set {
			if x == l {
				return true
			}
		}
		return false
	}
	var out []string
	for _, l := range al {
		if !in(l, bl) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !in(l, al) {
			out = append(out, "+ "+l)
		}
	}
	return out
}
