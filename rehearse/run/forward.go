package run

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/replica"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// stmtRun is one statement the rehearsal ran, kept until the load and the
// monitor have stopped and the statement's metrics can be computed.
type stmtRun struct {
	mig   *migrations.Migration
	dir   string // "up" | "down" | "roundtrip"
	index int    // 1-based in its script
	stmt  sqlsplit.Statement
	res   execResult
	run   bool              // false: not run (after a failure)
	usage *result.Resources // disk, redo, undo, buffer pool while it ran (resources.go)
	mark  *replica.Mark     // when each replica applied it (replicas.go); nil without replicas
	gmark *replica.NodeMark // when each Galera node applied it (galera.go); nil without a cluster
	tool  *toolRun          // how a strategy other than native ran it (strategy.go); nil: as written
}

// forward applies the pending migrations, then (rollback) their downs.
type forward struct {
	r       *rehearsal
	pending []*migrations.Migration

	state   *schemaState            // the schema now, as last captured
	before  map[string]*schemaState // by version: the schema before its up
	after   map[string]*schemaState // by version: the schema after its up
	applied []*migrations.Migration // fully applied, in order
	failed  *migrations.Migration   // the first migration that failed, if any
	failIdx int                     // its failing statement (1-based)
	// ran are the migrations whose up ran (applied or failed), in order;
	// failedAt is each failed one's failing statement (1-based), by
	// version. Without KeepGoing the first failure is the last to run.
	ran      []*migrations.Migration
	failedAt map[string]int
	// verifyFailed are the Sqitch verify scripts that failed after their
	// change deployed (sqitch reverts the change and stops there).
	verifyFailed []verifyFailure

	runs []*stmtRun

	mu        sync.Mutex
	txCtx     context.Context // the injected transactions' context (apply)
	first     bool            // the migration running is the first pending one
	longTxns  []longTxn
	txnWG     sync.WaitGroup
	stopTxns  context.CancelFunc
	rollbacks map[string]*result.MigrationRollback
}

type longTxn struct {
	inj        Injection
	start, end time.Time
	connID     int64
}

func (f *forward) apply(ctx context.Context) error {
	r := f.r
	f.after = map[string]*schemaState{}
	f.failedAt = map[string]int{}
	var failures []string
	txCtx, cancel := context.WithCancel(ctx)
	f.stopTxns = cancel
	r.cleanup = append(r.cleanup, f.endTxns)
	f.txCtx = txCtx
	for i, m := range f.pending {
		f.first = i == 0
		f.before[m.Version] = f.state
		r.progress("migrate", m.ID())
		failedAt, err := f.runScript(ctx, m, "up", m.Up.Statements)
		if err != nil {
			return err
		}
		st, err := r.capture(ctx)
		if err != nil {
			return fmt.Errorf("capture after %s: %w", m.ID(), err)
		}
		f.state = st
		f.after[m.Version] = st
		f.ran = append(f.ran, m)
		if failedAt > 0 {
			if f.failed == nil {
				f.failed, f.failIdx = m, failedAt
			}
			f.failedAt[m.Version] = failedAt
			failures = append(failures, fmt.Sprintf("%s failed at statement %d", m.ID(), failedAt))
			// Statements after the failure are listed as not run.
			for j := failedAt; j < len(m.Up.Statements); j++ {
				f.runs = append(f.runs, &stmtRun{mig: m, dir: "up", index: j + 1, stmt: m.Up.Statements[j]})
			}
			if r.opts.KeepGoing {
				// The next migrations run on what the failure left: its
				// committed statements stay, as in production (MySQL DDL
				// is not transactional), the nearest state a release
				// fixed at that statement would leave.
				r.logf("keep going: %s failed at statement %d; the next migrations run on its committed part", m.ID(), failedAt)
				continue
			}
			for _, rest := range f.pending[i+1:] {
				for j, s := range rest.Up.Statements {
					f.runs = append(f.runs, &stmtRun{mig: rest, dir: "up", index: j + 1, stmt: s})
				}
			}
			return errors.New(failures[0])
		}
		f.applied = append(f.applied, m)
		if vf := f.verify(ctx, m); vf != nil {
			f.verifyFailed = append(f.verifyFailed, *vf)
			for _, rest := range f.pending[i+1:] {
				for j, s := range rest.Up.Statements {
					f.runs = append(f.runs, &stmtRun{mig: rest, dir: "up", index: j + 1, stmt: s})
				}
			}
			return fmt.Errorf("the verify script of %s failed (%s): %s", m.ID(), vf.pos, vf.err)
		}
	}
	if len(failures) > 0 {
		return errors.New(strings.Join(failures, "; "))
	}
	return nil
}

// verifyFailure is a verify script's failing statement.
type verifyFailure struct {
	mig      *migrations.Migration
	pos, err string
}

// verify runs m's verify script (Sqitch) after its up: the first statement
// that errs fails it. Its statements are checks, not part of the release's
// measured work.
func (f *forward) verify(ctx context.Context, m *migrations.Migration) *verifyFailure {
	if m.Verify == nil {
		return nil
	}
	r := f.r
	for _, s := range m.Verify.Statements {
		res, err := execStatement(ctx, r.db, r.schema, r.confined.Text(s.Text), r.opts.LockWaitTimeout, nil, nil)
		switch {
		case err != nil:
			return &verifyFailure{mig: m, pos: s.Pos(), err: err.Error()}
		case res.Err != nil:
			r.logf("verify %s (%s): %v", m.ID(), s.Pos(), res.Err)
			return &verifyFailure{mig: m, pos: s.Pos(), err: res.Err.Error()}
		}
	}
	r.logf("verify %s: %d statements passed", m.ID(), len(m.Verify.Statements))
	return nil
}

// runScript runs statements in order; it returns the 1-based index of the
// statement that failed (0 when all ran).
func (f *forward) runScript(ctx context.Context, m *migrations.Migration, dir string, stmts []sqlsplit.Statement) (int, error) {
	r := f.r
	for j, s := range stmts {
		sqlText := r.confined.Text(s.Text)
		if dir == "up" && f.txCtx != nil {
			f.injectBefore(f.txCtx, m, j+1)
		}
		if dir == "up" && f.injectFail(m, j+1) {
			sqlText = "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'rehearse: injected failure (fail-at)'"
		}
		strategy := StrategyNative
		if dir == "up" && r.report.Strategy != nil {
			var why string
			if strategy, why = r.strategyFor(m, j+1); strategy != StrategyNative {
				r.report.Strategy.Applied = append(r.report.Strategy.Applied, fmt.Sprintf("%s#%d %s: %s", m.Version, j+1, strategy, why))
			}
		}
		rs := r.startResources(ctx)
		var res execResult
		var tool *toolRun
		var err error
		if strategy == StrategyNative {
			res, err = execStatement(ctx, r.db, r.schema, sqlText, r.opts.LockWaitTimeout, nil, r.statementGTID())
		} else {
			res, tool, err = r.execStrategy(ctx, strategy, sqlText)
		}
		usage := rs.stop()
		if err != nil {
			return 0, err
		}
		run := &stmtRun{mig: m, dir: dir, index: j + 1, stmt: s, res: res, run: true, usage: usage, tool: tool}
		run.mark = r.markStatement(ctx, fmt.Sprintf("%s %s#%d", dir, m.Version, j+1), sqlText, res)
		if r.galera != nil && r.galera.writers != nil && !res.Start.IsZero() {
			run.gmark = r.galera.writers.Mark(ctx, res.Start, res.End)
		}
		f.runs = append(f.runs, run)
		if res.Err == nil {
			// One line per statement: a CI log shows where a long
			// rehearsal is, and which statement took the time.
			r.logf("%s %s#%d (%s) %s: %s", dir, m.Version, j+1, s.Pos(), firstWords(sqlText, 8), res.End.Sub(res.Start).Round(time.Millisecond))
		}
		if res.Err != nil {
			r.logf("%s %s statement %d (%s): %v", dir, m.ID(), j+1, s.Pos(), res.Err)
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return j + 1, nil
		}
	}
	return 0, nil
}

func (f *forward) injectFail(m *migrations.Migration, n int) bool {
	for _, in := range f.r.opts.Injections {
		if in.Kind == "fail-at" && (in.Version == m.Version || in.Version == m.Key) && in.N == n {
			return true
		}
	}
	return false
}

// injectBefore starts the long transactions meant to open before statement
// n of m, and returns once each has its lock and its lead has passed.
func (f *forward) injectBefore(ctx context.Context, m *migrations.Migration, n int) {
	r := f.r
	var until time.Time
	for _, in := range r.opts.Injections {
		if !in.before(m.Version, m.Key, n, f.first) {
			continue
		}
		ready := make(chan struct{})
		lt := longTxn{inj: in, start: time.Now()}
		f.mu.Lock()
		idx := len(f.longTxns)
		f.longTxns = append(f.longTxns, lt)
		f.mu.Unlock()
		f.txnWG.Add(1)
		go func() {
			defer f.txnWG.Done()
			err := holdLongTxn(ctx, r.db, r.schema, in.Table, in.Duration, ready, func(id int64) {
				f.mu.Lock()
				f.longTxns[idx].connID = id
				f.mu.Unlock()
			})
			f.mu.Lock()
			f.longTxns[idx].end = time.Now()
			f.mu.Unlock()
			if err != nil {
				r.logf("inject %s: %v", in.Spec, err)
			}
		}()
		<-ready
		if t := lt.start.Add(in.lead()); t.After(until) {
			until = t
		}
	}
	if d := time.Until(until); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
	}
}

// endTxns cancels injected transactions still open and waits for them.
func (f *forward) endTxns() {
	if f.stopTxns != nil {
		f.stopTxns()
	}
	f.txnWG.Wait()
}

// rollback runs the downs of every migration whose up ran, newest first
// (a failed one's down on its partial state, as the newer downs leave it),
// under load, and judges each against the schema before its up (judgeDown).
func (f *forward) rollback(ctx context.Context, pre *schemaState) error {
	r := f.r
	// Injected transactions are part of the forward story; let them finish
	// so the downs are measured on their own.
	f.endTxns()
	rb := &result.Rollback{Attempted: true}
	var order []*migrations.Migration
	for i := len(f.ran) - 1; i >= 0; i-- {
		order = append(order, f.ran[i])
	}
	f.rollbacks = map[string]*result.MigrationRollback{}
	for _, m := range order {
		mr := &result.MigrationRollback{Version: m.Version}
		f.rollbacks[m.Version] = mr
		rb.Migrations = append(rb.Migrations, result.MigrationRollback{})
		if f.failedAt[m.Version] > 0 && len(diffSchemas(f.before[m.Version], f.after[m.Version])) == 0 {
			// The failure committed nothing: there is no partial state
			// to undo, and the down would fail on objects that are not there.
			mr.Verdict = "restores"
			mr.Detail = append(mr.Detail, "nothing committed before the failure: the down was not needed")
			rb.Migrations[len(rb.Migrations)-1] = *mr
			continue
		}
		if m.Down != nil && m.Down.Empty() && m.Up.Empty() {
			// Both empty (Authelia's V0025: the work is in the runner's
			// code): the runner runs the down as a no-op and goes on to
			// the older ones; there is nothing to undo.
			mr.Verdict = "restores"
			mr.Detail = append(mr.Detail, fmt.Sprintf("the up and the down (%s) are both empty: nothing to undo", m.Down.Pos()))
			rb.Migrations[len(rb.Migrations)-1] = *mr
			continue
		}
		if m.Down == nil || m.Down.Empty() {
			mr.Verdict = "irreversible"
			if m.Down == nil {
				mr.Detail = append(mr.Detail, noDown(m))
			} else {
				mr.Detail = append(mr.Detail, fmt.Sprintf("the down migration (%s) has no statement", m.Down.Pos()))
			}
			rb.Migrations[len(rb.Migrations)-1] = *mr
			// Without its down, the older downs run on a schema they do
			// not expect: stop here.
			break
		}
		r.progress("rollback", m.ID())
		preDown := f.state
		failedAt, err := f.runScript(ctx, m, "down", m.Down.Statements)
		if err != nil {
			return err
		}
		st, err := r.capture(ctx)
		if err != nil {
			return fmt.Errorf("capture after the down of %s: %w", m.ID(), err)
		}
		f.state = st
		if failedAt > 0 {
			mr.Verdict = "failed"
			last := f.runs[len(f.runs)-1]
			mr.Detail = append(mr.Detail, fmt.Sprintf("statement %d (%s): %v", failedAt, last.stmt.Pos(), last.res.Err))
			rb.Migrations[len(rb.Migrations)-1] = *mr
			break
		}
		f.judgeDown(m, preDown, st, mr)
		rb.Migrations[len(rb.Migrations)-1] = *mr
	}
	rb.Remaining = diffSchemas(pre, f.state)
	rb.Restores = len(rb.Remaining) == 0
	r.report.Rollback = rb
	return nil
}

// roundtrip applies the ups again after a rollback that restored the schema:
// the release can be retried.
func (f *forward) roundtrip(ctx context.Context) error {
	for _, m := range f.applied {
		failedAt, err := f.runScript(ctx, m, "roundtrip", m.Up.Statements)
		if err != nil {
			return err
		}
		if failedAt > 0 {
			last := f.runs[len(f.runs)-1]
			f.r.report.Rollback.Roundtrip = fmt.Sprintf("failed: %s statement %d: %v", m.ID(), failedAt, last.res.Err)
			return nil
		}
	}
	f.r.report.Rollback.Roundtrip = "ok"
	return nil
}

func (r *rehearsal) progress(phase, detail string) {
	if r.opts.Progress != nil {
		r.opts.Progress(phase, detail)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// firstWords is the statement's first n words on one line, for a log.
func firstWords(sql string, n int) string {
	w := strings.Fields(sql)
	if len(w) > n {
		return strings.Join(w[:n], " ") + " ..."
	}
	return strings.Join(w, " ")
}

// noDown says why m has no down: the format's one reason (Prisma Migrate
// and Atlas have none at all), else "no down migration".
func noDown(m *migrations.Migration) string {
	if f, err := migrations.Lookup(m.Format); err == nil {
		if ir, ok := f.(migrations.Irreversible); ok {
			return ir.NoDowns()
		}
	}
	return "no down migration"
}
