package datagen

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/snapshot"
)

// Generate fills the server behind db with synthetic rows for the snapshot's
// tables (all, or Options.Tables). The server's tables must match the
// snapshot and be empty (or Options.Truncate set); otherwise Generate returns
// an error listing the differences before writing anything.
//
// On any failure or cancellation the tables it wrote to are emptied again,
// and dropped triggers and indexes are put back, before it returns.
func Generate(ctx context.Context, db *sql.DB, snap *snapshot.Snapshot, o Options) (Result, error) {
	start := time.Now()
	if snap == nil {
		return Result{}, fmt.Errorf("datagen: no snapshot")
	}
	if o.Scale < 0 {
		return Result{}, rehearse.WithHint(fmt.Errorf("datagen: scale %g is negative", o.Scale), "use a scale such as 0.1 or 1")
	}
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	plans, notes, err := buildPlans(ctx, db, snap, &o)
	if err != nil {
		return Result{}, err
	}
	res := Result{Notes: notes, Model: &Model{plans: plans, notes: notes}}

	diffs, err := checkSchema(ctx, db, plans)
	if err != nil {
		return res, err
	}
	if len(diffs) > 0 {
		return res, mismatchError(diffs)
	}
	full, err := nonEmpty(ctx, db, plans)
	if err != nil {
		return res, err
	}
	if len(full) > 0 && !o.Truncate {
		return res, rehearse.WithHint(fmt.Errorf("%w: %s already hold rows; nothing was written", ErrNotEmpty, strings.Join(full, ", ")),
			"empty them first, or pass --truncate to have generate empty them")
	}
	useLoad := false
	if !o.Insert {
		useLoad, err = localInfile(ctx, db)
		if err != nil {
			return res, err
		}
		if !useLoad {
			res.Notes = append(res.Notes, "the server has local_infile=OFF: loading with multi-row INSERTs (slower); SET GLOBAL local_infile=1 allows the fast path")
		}
	}
	res.Method = "insert"
	if useLoad {
		res.Method = "load-data"
	}
	if err := truncateTables(ctx, db, full); err != nil {
		return res, err
	}

	var triggers []savedTrigger
	if !o.KeepTriggers {
		triggers, err = dropTriggers(ctx, db, plans)
		if len(triggers) > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("%d trigger(s) were dropped for the load and re-created after it (rows are loaded as a dump restore loads them)", len(triggers)))
		}
		if err != nil {
			return res, joinErr(err, restoreTriggers(context.WithoutCancel(ctx), db, triggers))
		}
	}

	run := &runner{db: db, o: o, useLoad: useLoad, plans: plans, start: start}
	loadErr := run.loadAll(ctx)
	cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if loadErr != nil {
		run.emptyStarted(cleanupCtx)
	}
	trigErr := restoreTriggers(cleanupCtx, db, triggers)
	res.Tables = run.results
	for _, t := range res.Tables {
		res.Rows += t.Rows
		res.Notes = append(res.Notes, t.Notes...)
	}
	res.Elapsed = time.Since(start)
	if loadErr != nil {
		return res, joinErr(loadErr, trigErr)
	}
	return res, trigErr
}

func joinErr(a, b error) error {
	if b == nil {
		return a
	}
	if a == nil {
		return b
	}
	return fmt.Errorf("%w (and: %v)", a, b)
}

func quoteQualified(name string) string {
	s, t, _ := strings.Cut(name, ".")
	return mysqlkit.Quote(s) + "." + mysqlkit.Quote(t)
}

// buildPlans selects tables, sets row counts and plans every column. Row
// counts can shrink while planning (a key that cannot hold that many
// distinct values; a one-to-one foreign key with fewer parents), so
// planning repeats until every foreign key sees its parent's final count.
func buildPlans(ctx context.Context, db *sql.DB, snap *snapshot.Snapshot, o *Options) ([]*tablePlan, []string, error) {
	var notes []string
	selected, err := selectTables(snap, o)
	if err != nil {
		return nil, nil, err
	}
	noStats := true
	for _, s := range snap.Schemas {
		for _, t := range s.Tables {
			if t.Stats.RowCount() > 0 {
				noStats = false
			}
		}
	}
	if noStats && len(o.Rows) == 0 {
		notes = append(notes, fmt.Sprintf("the snapshot has no row counts: every table gets %d × scale rows (use --rows table=N to say otherwise)", DefaultRows))
	}
	caps := map[string]uint64{}
	for iter := 0; ; iter++ {
		var plans []*tablePlan
		byName := map[string]*tablePlan{}
		for _, st := range selected {
			rows, src, _ := rowsFor(st.t, st.s.Name, o, noStats && len(o.Rows) == 0)
			p := newTablePlan(st.s, st.t, dbName(o, st.s.Name), rows, src, o.Seed)
			if c, ok := caps[p.qname()]; ok && c < p.rows {
				p.rows = c
			}
			plans = append(plans, p)
			byName[p.qname()] = p
		}
		ordered := loadOrder(plans)
		for _, p := range ordered {
			p.targets()
			p.applyChecks()
			if err := p.planFKs(ctx, db, byName, func(s string) string { return dbName(o, s) }); err != nil {
				return nil, nil, err
			}
			before := p.rows
			p.planKeys()
			p.finishFKs()
			if p.rows != before {
				p.targets() // distinct counts follow the new row count
				p.applyChecks()
			}
			p.buildDomains()
		}
		stable := true
		for _, p := range plans {
			for _, f := range p.fks {
				if f.parent != nil && f.np != f.parent.rows {
					stable = false
				}
			}
			caps[p.qname()] = p.rows
		}
		if stable || iter >= 3 {
			cols, tables := 0, 0
			for _, p := range plans {
				if p.missingStats > 0 {
					cols += p.missingStats
					tables++
				}
			}
			if cols > 0 {
				notes = append(notes, fmt.Sprintf("%d column(s) in %d table(s) have no statistics in the snapshot: defaults used "+
					"(%.0f%% NULLs in nullable columns; distinct counts from index cardinality, type and name; plausible ranges and lengths). "+
					"Capture with column statistics for production's shape", cols, tables, DefaultNullFraction*100))
			}
			applyLiterals(plans, snap)
			for _, p := range plans {
				notes = append(notes, p.notes...)
				for _, k := range p.uniqueRisk {
					notes = append(notes, fmt.Sprintf("%s: %s cannot be guaranteed by construction: loaded with unique checks on, duplicates skipped", p.qname(), k))
				}
			}
			return plans, notes, nil
		}
	}
}

type selTable struct {
	s *snapshot.Schema
	t *snapshot.Table
}

// selectTables resolves Options.Tables and checks that every name in Tables
// and Rows exists.
func selectTables(snap *snapshot.Snapshot, o *Options) ([]selTable, error) {
	var all []selTable
	known := map[string]bool{}
	for i := range snap.Schemas {
		s := &snap.Schemas[i]
		for j := range s.Tables {
			all = append(all, selTable{s, &s.Tables[j]})
			known[s.Name+"."+s.Tables[j].Name] = true
			known[s.Tables[j].Name] = true
		}
	}
	var unknown []string
	for k := range o.Rows {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	want := map[string]bool{}
	for _, t := range o.Tables {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !known[t] {
			unknown = append(unknown, t)
		}
		want[t] = true
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, rehearse.WithHint(fmt.Errorf("datagen: table(s) not in the snapshot: %s", strings.Join(unknown, ", ")),
			"name tables as the snapshot does (table or schema.table)")
	}
	if len(want) == 0 {
		return all, nil
	}
	var out []selTable
	for _, st := range all {
		if want[st.t.Name] || want[st.s.Name+"."+st.t.Name] {
			out = append(out, st)
		}
	}
	return out, nil
}

func dbName(o *Options, schema string) string {
	if d := o.Schemas[schema]; d != "" {
		return d
	}
	return schema
}
