package run

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/confine"
	"github.com/rehearse/rehearse/rehearse/locks"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// commandConnID marks a statement run that is a user's migrate command: its
// connections are its own, so lock figures come from every wait in its time
// window rather than from one connection id.
const commandConnID = -1

// runCommand runs the user's migrate (or rollback) command against the
// sandbox as one step, and records it like a statement.
func (f *forward) runCommand(ctx context.Context, dir string, c *migrations.CommandOptions) (*stmtRun, error) {
	r := f.r
	opts := *c
	opts.Conn = migrations.Conn{Host: r.srv.Host, Port: r.srv.Port, User: r.srv.User, Password: r.srv.Password(), Database: r.schema}
	if opts.Stdout == nil {
		opts.Stdout = r.opts.Log
	}
	if opts.Stderr == nil {
		opts.Stderr = r.opts.Log
	}
	m := &migrations.Migration{Version: dir + "-command", Name: c.Command, Up: migrations.Script{File: "--" + dir + "-cmd"}}
	run := &stmtRun{mig: m, dir: "up", index: 1, stmt: sqlsplit.Statement{Text: c.Command, Line: 1}, run: true}
	if dir == "rollback" {
		run.dir = "down"
	}
	var watch *confine.Watch
	if r.srv.Engine == "dsn" {
		// A shared server: the command holds the account, rehearse cannot
		// check its statements; what it changed outside the scratch
		// database is looked for afterwards.
		w, err := confine.Start(ctx, r.db, r.srv.Database)
		if err != nil {
			return nil, fmt.Errorf("%s command: watch the server's other databases: %w", dir, err)
		}
		for _, n := range w.Notes {
			r.logf("dsn engine: %s", n)
		}
		watch = w
	}
	run.res = execResult{ConnID: commandConnID, Start: time.Now()}
	res, err := migrations.RunCommand(ctx, opts)
	run.res.End = time.Now()
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if watch != nil {
		n := len(watch.Notes)
		if err := watch.Check(ctx); err != nil {
			if errors.As(err, new(*confine.Violation)) {
				err = rehearse.WithHint(fmt.Errorf("%s command: %w", dir, err), "%s", confine.Hint)
				r.escaped = err
			}
			return nil, err
		}
		for _, n := range watch.Notes[n:] {
			r.logf("dsn engine: %s", n)
		}
		r.logf("dsn engine: nothing outside the scratch database changed while the %s command ran", dir)
	}
	if err != nil || res.ExitCode != 0 {
		run.res.Err = fmt.Errorf("%s command exited with %d: %s", dir, res.ExitCode, res.Tail)
		if err != nil {
			run.res.Err = fmt.Errorf("%s command: %w", dir, err)
		}
	}
	f.runs = append(f.runs, run)
	return run, nil
}

// commandGuard is the dsn engine's guard when a migrate command will run:
// prod (the production guard), then the account's grants must confine it
// to rehearse_* databases, as rehearse cannot check what the command
// runs; unconfined (--unconfined-migrate-cmd) makes that a warning.
func commandGuard(prod func(context.Context, *sql.DB) error, unconfined bool, logf func(string, ...any)) func(context.Context, *sql.DB) error {
	return func(ctx context.Context, db *sql.DB) error {
		if prod != nil {
			if err := prod(ctx, db); err != nil {
				return err
			}
		}
		err := confine.CheckGrants(ctx, db)
		var u *confine.Unconfined
		switch {
		case errors.As(err, &u) && unconfined:
			logf("dsn engine: warning: %v; going on at your risk (--unconfined-migrate-cmd): changes outside the scratch database are looked for afterwards, not prevented", err)
			return nil
		case u != nil:
			return rehearse.WithHint(fmt.Errorf("--migrate-cmd: %w", err),
				"give the dsn engine an account limited to rehearse_* databases (%s; docs/security.md), rehearse on a throwaway server (--engine auto, local or docker), or pass --unconfined-migrate-cmd to run it anyway at your own risk", confine.LeastPrivilege)
		}
		return err
	}
}

// applyCommand replaces the statement loop with the user's migrate command.
func (f *forward) applyCommand(ctx context.Context) error {
	run, err := f.runCommand(ctx, "migrate", f.r.opts.MigrateCommand)
	if err != nil {
		return err
	}
	f.before[run.mig.Version] = f.state
	st, err := f.r.capture(ctx)
	if err != nil {
		return err
	}
	f.state = st
	f.after = map[string]*schemaState{run.mig.Version: st}
	f.ran = append(f.ran, run.mig)
	if run.res.Err != nil {
		f.failed, f.failIdx = run.mig, 1
		f.failedAt = map[string]int{run.mig.Version: 1}
		return run.res.Err
	}
	f.applied = append(f.applied, run.mig)
	return nil
}

// rollbackCommand runs the user's rollback command and judges the schema.
func (f *forward) rollbackCommand(ctx context.Context, pre *schemaState) error {
	rb := &result.Rollback{Attempted: true}
	f.r.report.Rollback = rb
	if f.r.opts.RollbackCommand == nil {
		rb.Migrations = []result.MigrationRollback{{Version: "migrate-command", Verdict: "irreversible", Detail: []string{"no --rollback-cmd given"}}}
		rb.Remaining = diffSchemas(pre, f.state)
		return nil
	}
	preDown := f.state
	run, err := f.runCommand(ctx, "rollback", f.r.opts.RollbackCommand)
	if err != nil {
		return err
	}
	st, err := f.r.capture(ctx)
	if err != nil {
		return err
	}
	f.state = st
	mr := result.MigrationRollback{Version: "migrate-command", Verdict: "restores"}
	rb.Remaining = diffSchemas(pre, st)
	switch {
	case run.res.Err != nil:
		mr.Verdict, mr.Detail = "failed", []string{run.res.Err.Error()}
	case len(f.ran) == 1:
		// As a down: what the command left, and the data the migrate
		// command removed (no plan: renames told by the schema).
		f.judgeDown(f.ran[0], preDown, st, &mr)
	case len(rb.Remaining) > 0:
		mr.Verdict, mr.Detail = "differences", rb.Remaining
	}
	rb.Migrations = []result.MigrationRollback{mr}
	rb.Restores = len(rb.Remaining) == 0
	return nil
}

// windowLocks summarises every metadata-lock wait in [from, to]: the figures
// of a step whose connections are not known (a user's command).
func windowLocks(mr *locks.Result, from, to time.Time) (ddlWait time.Duration, writers int, longest, total time.Duration) {
	seen := map[int64]bool{}
	for _, w := range mr.Waits {
		if w.End.Before(from) || w.Start.After(to) {
			continue
		}
		d := w.End.Sub(w.Start)
		if !locks.IsWriteLock(w.LockType) {
			if d > ddlWait {
				ddlWait = d
			}
			continue
		}
		if !seen[w.ConnID] {
			seen[w.ConnID] = true
			writers++
		}
		if d > longest {
			longest = d
		}
		total += d
	}
	return
}
