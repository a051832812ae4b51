package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

// checkFill validates the data flags of `rehearse sandbox` (--scale, --seed,
// --rows, --tables) before anything starts: they need --snapshot (the row
// counts come from it) and only mean something with --scale.
func (o *sandboxOptions) checkFill(changed func(string) bool) error {
	if !changed("scale") {
		for _, f := range []string{"seed", "rows", "tables"} {
			if changed(f) {
				return usageError{fmt.Errorf("--%s needs --scale X: without it the sandbox holds the schema only", f)}
			}
		}
		return nil
	}
	if o.Snapshot == "" {
		return usageError{errors.New("--scale needs --snapshot FILE: the row counts to scale are the snapshot's")}
	}
	if o.Scale <= 0 {
		return usageError{fmt.Errorf("--scale %g: give a fraction of production's row counts above 0, e.g. 0.1", o.Scale)}
	}
	rows, err := parseRowsFlag(o.Rows)
	if err != nil {
		return err
	}
	o.rows = rows
	return nil
}

// fillSandbox fills a sandbox startFromSnapshot restored with synthetic rows,
// as the rehearsal does (the same datagen options for the same snapshot,
// scale and seed: restore.DataTables, restore.Databases), with the progress
// `rehearse generate` shows on standard error. Cancelling ctx (Ctrl-C) stops
// the load; the caller removes the sandbox.
func fillSandbox(ctx context.Context, srv *engine.Server, snap *snapshot.Snapshot, o *sandboxOptions, password string) error {
	errOut := o.io.ErrOut
	gopts := datagen.Options{Scale: o.Scale, Rows: o.rows, Seed: o.Seed, Tables: o.Tables, Schemas: restore.Databases(srv, snap)}
	if len(gopts.Tables) == 0 {
		gopts.Tables = restore.DataTables(snap)
	}
	db, err := srv.Open("")
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(errOut, "rehearse: generating synthetic rows: the snapshot's row counts × %g, seed %d\n", o.Scale, o.Seed)
	prog := newProgressPrinter(errOut, o.io.ErrOutIsTTY)
	gopts.Progress = prog.update
	res, err := datagen.Generate(ctx, db, snap, gopts)
	prog.finish()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return scrubPassword(err, password)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(errOut, "rehearse: note: %s\n", n)
	}
	return nil
}

// dsnPassword is the password in the dsn engine's DSN, to keep it out of
// error messages ("" when there is none or the DSN does not parse).
func dsnPassword(dsn string) string {
	if dsn == "" {
		return ""
	}
	cfg, err := engine.ParseUserDSN(dsn)
	if err != nil {
		return ""
	}
	return cfg.Passwd
}
