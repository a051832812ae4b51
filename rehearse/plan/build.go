package plan

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/rehearse/scope"
	"github.com/rehearse/rehearse/snapshot"
)

// Options say what to plan.
type Options struct {
	Snapshot     *snapshot.Snapshot
	SnapshotFile string // for the document only
	Migrations   *migrations.Set
	// Schema is the snapshot database the migrations apply to ("" = the
	// history's database, else the only one).
	Schema string
	// Verify replays the pending set on a schema-only sandbox started with
	// Engine/EngineOptions (restored from the snapshot), verifying each
	// ALTER's algorithm and finding what fails on production's schema.
	Verify        bool
	Engine        engine.Engine
	EngineOptions engine.Options
	// CacheDir holds the cached calibration ("" = measure every time).
	CacheDir string
	Rules    []Rule
	Config   *Config
	// FirstAdoption declares the release the runner's first on production:
	// the snapshot has no history of the folder's runner, so every
	// migration is pending (finding RH012). A history of that runner with
	// entries is then an error.
	FirstAdoption bool
	Tool          string
	Log           io.Writer
	Now           func() time.Time
}

// Build makes the plan. Errors are for what stops planning (no shared
// history, a sandbox that cannot start); findings are in the Plan.
func Build(ctx context.Context, o Options) (*Plan, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	set, snap := o.Migrations, o.Snapshot
	h := pickHistory(snap, set.Format, o.Schema)
	schema, err := schemaFor(snap, o.Schema, h)
	if err != nil {
		return nil, err
	}
	ho := historyOptions{config: o.Config, firstAdoption: o.FirstAdoption}
	picked := h
	h, findings, err := ownHistory(set, h, ho)
	if err != nil {
		return nil, err
	}
	ho.otherRunner = picked != nil && h == nil && !o.FirstAdoption
	pending, href, more, err := pendingSet(set, h, ho)
	if err != nil {
		return nil, err
	}
	findings = append(findings, more...)
	for _, pr := range set.Problems {
		if pr.Code == "sum-mismatch" {
			f := newFinding(codes.FolderIntegrity, "", pr.File, pr.Line, "%s", pr.Message)
			f.Recommendation = "regenerate the sum after a deliberate change (atlas migrate hash), or restore the file as it was"
			findings = append(findings, f)
		}
	}
	p := &Plan{Format: FormatV1, CreatedAt: o.Now().UTC(), Tool: o.Tool,
		Snapshot:   SnapshotRef{File: o.SnapshotFile, Flavor: snap.Source.Flavor, Version: snap.Source.Version, CreatedAt: snap.CreatedAt, Schema: schema},
		Migrations: MigrationsRef{Dir: set.Dir, Format: set.Format, Detected: set.Detected, Total: len(set.Migrations)},
		History:    href, Problems: set.Problems, Findings: findings, Pending: []PendingMigration{}}
	srv := parseServer(snap.Source.Flavor, snap.Source.Version)
	cls := newClassifier(newModel(snap, schema))
	for _, m := range pending {
		pm := PendingMigration{Key: m.Key, Version: m.Version, Name: m.Name, File: m.Up.File, NoTransaction: m.NoTransaction}
		for _, st := range m.Up.Statements {
			pm.Statements = append(pm.Statements, cls.statement(st))
		}
		if m.Down != nil {
			// A rollback runs the down on the schema this up left (the
			// later migrations' downs ran first).
			pm.Down = &DownInfo{File: m.Down.File, Line: m.Down.Line, Statements: len(m.Down.Statements)}
			dc := newClassifier(cls.model.clone())
			dc.noFKChecks = cls.noFKChecks
			for _, st := range m.Down.Statements {
				sp := dc.statement(st)
				pm.Down.Ops = append(pm.Down.Ops, sp.Ops...)
				for _, in := range sp.Inner {
					pm.Down.Ops = append(pm.Down.Ops, in.Ops...)
				}
			}
		}
		p.Pending = append(p.Pending, pm)
	}
	// Predictions need the table as it is when the statement runs: a second
	// pass over a fresh model keeps them in step.
	predictAll(p, snap, schema, srv)
	if o.Verify && len(pending) > 0 {
		if err := verify(ctx, o, p, pending, schema, srv); err != nil {
			return nil, err
		}
	}
	estimateAll(p)
	p.Findings = append(p.Findings, statementFindings(p)...)
	rc := &RuleContext{Plan: p, Pending: pending, Snapshot: snap}
	for _, r := range o.Rules {
		if o.Config != nil {
			rc.Config = o.Config.Rules[r.Code()]
		} else {
			rc.Config = RuleConfig{}
		}
		for _, f := range r.Check(rc) {
			f.Code, f.Title, f.Docs = r.Code(), r.Title(), DocsPage(r.Code())
			if f.Severity == "" {
				f.Severity = r.Severity()
			}
			p.Findings = append(p.Findings, f)
		}
	}
	kept := p.Findings[:0]
	for _, f := range p.Findings {
		if o.Config.apply(&f) {
			kept = append(kept, f)
		}
	}
	p.Findings = orderFindings(p, groupFindings(kept))
	summarize(p)
	return p, nil
}

// each calls fn for every statement plan, inner ones included.
func each(p *Plan, fn func(pm *PendingMigration, sp *StatementPlan)) {
	var walk func(pm *PendingMigration, sps []StatementPlan)
	walk = func(pm *PendingMigration, sps []StatementPlan) {
		for i := range sps {
			fn(pm, &sps[i])
			walk(pm, sps[i].Inner)
		}
	}
	for i := range p.Pending {
		walk(&p.Pending[i], p.Pending[i].Statements)
	}
}

func predictAll(p *Plan, snap *snapshot.Snapshot, schema string, srv server) {
	m := newModel(snap, schema)
	c := newClassifier(m)
	each(p, func(_ *PendingMigration, sp *StatementPlan) {
		if sp.Table == nil || sp.Kind != "ddl" {
			return
		}
		tm := m.table(sp.Table.Name)
		if a, ok := predict(srv, sp.Ops, tm); ok && isAlterLike(sp.Ops) {
			sp.Predicted = &a
		}
		text := sp.SQL
		if sp.Executes != "" && sp.Executes != DynamicSQL {
			text = sp.Executes // an EXECUTE: the statement it runs
		}
		if node, err := c.parse(text); err == nil {
			m.apply(node) // the table as later statements see it
			return
		}
		for _, op := range sp.Ops { // a text cut for length: keep the fulltext count in step
			if op.Class == OpAddFulltext && tm != nil {
				tm.addFulltext()
			}
			if op.Class == OpCreateTable && tm == nil {
				m.tables[lower(sp.Table.Name)] = &tableModel{Name: sp.Table.Name, Cols: map[string]*colModel{}, New: true}
			}
		}
	})
}

// isAlterLike: the statement is one the ALGORITHM ladder applies to.
func isAlterLike(ops []Op) bool {
	for _, op := range ops {
		switch op.Class {
		case OpCreateTable, OpDropTable, OpTruncate, OpCreateView, OpDropView, OpCreateRoutine, OpDropRoutine:
			return false
		}
	}
	return len(ops) > 0
}

// fastSettings drop durability in the schema-only sandbox (it holds no
// data worth keeping); none of them changes what DDL does.
var fastSettings = map[string]string{
	"innodb_flush_log_at_trx_commit": "0",
	"innodb_doublewrite":             "OFF",
	"innodb_flush_method":            "nosync",
}

// sandboxInMemory asks for the schema-only sandbox in memory; the benchmark
// turns it off to print the ratio to a sandbox on disk.
var sandboxInMemory = true

// verify starts the schema-only sandbox, replays, and calibrates.
func verify(ctx context.Context, o Options, p *Plan, pending []*migrations.Migration, schema string, srv server) error {
	start := o.Now()
	fmt.Fprintf(o.Log, "rehearse: starting a schema-only %s %s sandbox (--engine %s) to verify the plan\n", p.Snapshot.Flavor, p.Snapshot.Version, o.Engine.Name())
	eo := o.EngineOptions
	// The sandbox holds no data: in memory its DDL no longer waits for
	// file syncs (Mattermost's 120 migrations replay in ~2 s instead of ~24 s).
	eo.Memory = sandboxInMemory
	eo.Settings = map[string]string{}
	for k, v := range fastSettings {
		eo.Settings[k] = v
	}
	for k, v := range o.EngineOptions.Settings {
		eo.Settings[k] = v
	}
	var confined scope.Confined
	var err error
	if o.Engine.Name() == "dsn" {
		// A shared server: the pending statements must stay in the
		// scratch database, checked before the server is touched.
		if eo.Database == "" {
			eo.Database = engine.ScratchName()
		}
		if confined, err = scope.ForSnapshot(eo.Database, o.Snapshot).Migrations(pending); err != nil {
			return rehearse.WithHint(err, "%s", scope.Hint)
		}
	}
	sb, err := restore.StartFor(ctx, o.Engine, eo, o.Snapshot)
	if err != nil {
		return fmt.Errorf("plan: schema-only sandbox: %w", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = sb.Stop(sctx)
	}()
	started := o.Now()
	if err := restore.Into(ctx, sb, o.Snapshot, restore.Options{Log: io.Discard}); err != nil {
		return fmt.Errorf("plan: schema-only sandbox: %w", err)
	}
	restored := o.Now()
	target := schema
	if sb.Database != "" {
		target = sb.Database
	}
	db, err := sb.Open(target)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("plan: connect to the sandbox: %w", err)
	}
	defer func() {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}()
	// The copy the ALGORITHM/LOCK ladder works on, taken before the replay
	// (the ladder rewrites statements: it must never decide what applies).
	pconn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("plan: connect to the sandbox: %w", err)
	}
	defer func() {
		_ = pconn.Raw(func(any) error { return driver.ErrBadConn })
		pconn.Close()
	}()
	scratch := "_rehearse_probe"
	if sb.Database != "" {
		scratch = sb.Database + "_probe" // the dsn engine's grants cover its prefix
	}
	defer func() {
		_, _ = pconn.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+mysqlkit.Quote(scratch))
	}()
	if err := cloneSchema(ctx, pconn, target, scratch); err != nil {
		return err
	}
	srvInfo := parseServer(string(sb.Flavor), sb.Version)
	r := &replayer{conn: conn, srv: srvInfo, c: newClassifier(newModel(o.Snapshot, schema)), prepared: map[string]string{}, confined: confined}
	for i, m := range pending {
		p.Findings = append(p.Findings, r.migration(ctx, m, &p.Pending[i])...)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	pr := &replayer{conn: pconn, srv: srvInfo, c: newClassifier(newModel(o.Snapshot, schema)), prepared: map[string]string{}, confined: confined}
	names := namesSchema(target)
	for i, m := range pending {
		pr.probe(ctx, m, &p.Pending[i], names, target)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	replayed := o.Now()
	info := &SandboxInfo{Engine: sb.Engine, Flavor: string(sb.Flavor), Version: sb.Version, Replayed: r.replayed, Failed: r.failed,
		VersionDrift: restore.VersionDrift(o.Snapshot, sb),
		StartSeconds: round(started.Sub(start).Seconds()), RestoreSeconds: round(restored.Sub(started).Seconds()),
		ReplaySeconds: round(replayed.Sub(restored).Seconds()), Memory: inMemory(sb.Datadir)}
	if cal, err := Calibrate(ctx, conn, o.CacheDir, sb.Engine, string(sb.Flavor), sb.Version); err == nil {
		p.Calibration = cal
	} else {
		fmt.Fprintf(o.Log, "rehearse: calibration failed (estimates will lack durations): %v\n", err)
	}
	info.Seconds = round(o.Now().Sub(start).Seconds())
	p.Sandbox = info
	each(p, func(_ *PendingMigration, sp *StatementPlan) {
		if sp.Verified != nil && sp.Predicted != nil && sp.Verified.Algorithm != "" {
			sp.Verified.Agrees = sp.Verified.Algorithm == sp.Predicted.Algorithm && sp.Verified.Lock == sp.Predicted.Lock
		}
	})
	return nil
}

func estimateAll(p *Plan) {
	each(p, func(_ *PendingMigration, sp *StatementPlan) {
		a := sp.Predicted
		if sp.Verified != nil && sp.Verified.Algorithm != "" {
			v := Algo{Algorithm: sp.Verified.Algorithm, Lock: sp.Verified.Lock}
			if a != nil {
				v.Rebuild = a.Rebuild || v.Algorithm == Copy
			}
			a = &v
		}
		sp.Estimate = estimate(sp, a, p.Calibration)
	})
}

// statementFindings: not-analysed statements and predictor disagreements.
func statementFindings(p *Plan) []Finding {
	var out []Finding
	each(p, func(pm *PendingMigration, sp *StatementPlan) {
		if !sp.Analysed && sp.Via == "" {
			out = append(out, newFinding(codes.NotAnalysed, pm.Key, sp.File, sp.Line,
				"not analysed (%s); it still runs, and the sandbox replay checks it", sp.NotAnalysed))
		}
		if sp.Executes == DynamicSQL {
			f := newFinding(codes.DynamicSQL, pm.Key, sp.File, sp.Line,
				"%s runs a statement the plan cannot read before it runs (%s): its algorithm is %s until the sandbox replay or the rehearsal's probe runs it", strings.TrimSpace(sp.SQL), sp.Dynamic, DynamicSQL)
			f.Recommendation = "spell the statement out in the migration (PREPARE s FROM 'ALTER TABLE …', or SET @s to a literal or IF(condition, 'ALTER TABLE …', 'SELECT 1')), or let the plan's sandbox replay read it on the server (on unless --no-verify)"
			out = append(out, f)
		}
		if v := sp.Verified; v != nil && sp.Predicted != nil && v.Algorithm != "" && !v.Agrees {
			out = append(out, newFinding(codes.Disagreement, pm.Key, sp.File, sp.Line,
				"predicted %s/LOCK=%s but the server accepted %s/LOCK=%s: the server's answer is used",
				sp.Predicted.Algorithm, sp.Predicted.Lock, v.Algorithm, v.Lock))
		}
	})
	return out
}

func summarize(p *Plan) {
	s := Summary{Pending: len(p.Pending)}
	each(p, func(_ *PendingMigration, sp *StatementPlan) {
		if sp.Via == "" {
			s.Statements++
			if !sp.Analysed {
				s.NotAnalysed++
			}
		}
		a := Effective(sp)
		if a != nil {
			if a.Rebuild || a.Algorithm == Copy {
				s.Rebuilds++
			}
			if a.Lock == LockShared || a.Lock == LockExclusive {
				s.Blocking++
			}
		}
		if sp.Verified != nil && sp.Verified.Algorithm != "" {
			s.Verified++
			if sp.Predicted != nil && !sp.Verified.Agrees {
				s.Disagreements++
			}
		}
		if sp.Estimate != nil && sp.Estimate.Seconds > 0 {
			s.EstimatedSeconds += sp.Estimate.Seconds
		}
	})
	for _, f := range p.Findings {
		switch f.Severity {
		case SevError:
			s.Errors++
		case SevWarning:
			s.Warnings++
		}
	}
	s.EstimatedSeconds = round(s.EstimatedSeconds)
	p.Summary = s
}

// Effective is the algorithm a statement gets: the server's answer when
// verified, else the prediction (nil for statements without one).
func Effective(sp *StatementPlan) *Algo {
	if v := sp.Verified; v != nil && v.Algorithm != "" {
		a := Algo{Algorithm: v.Algorithm, Lock: v.Lock, Reason: "verified by the server"}
		if sp.Predicted != nil {
			a.Rebuild = sp.Predicted.Rebuild
		}
		a.Rebuild = a.Rebuild || a.Algorithm == Copy
		if a.Algorithm == Instant || a.Algorithm == NoCopy {
			a.Rebuild = false
		}
		return &a
	}
	return sp.Predicted
}

// inMemory reports a datadir on the engine's memory file system.
func inMemory(datadir string) bool {
	m := engine.MemoryDir()
	return m != "" && datadir != "" && strings.HasPrefix(datadir, m+"/")
}
