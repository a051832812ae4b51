package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/datacache"
	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/restore"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
	"github.com/rehearse/rehearse/snapshot"
)

// checkFill validates the data flags of `rehearse sandbox` (--scale, --seed,
// --rows, --tables) before anything starts: they need --snapshot (the row
// counts come from it). --rows and --tables ask for data as they do in
// `rehearse run`: without --scale the other tables get run's default
// scale, so the sandbox holds the rows `rehearse run` with the same flags
// generates. --seed alone asks for no data.
func (o *sandboxOptions) checkFill(changed func(string) bool) error {
	if !changed("scale") {
		if !changed("rows") && !changed("tables") {
			if changed("seed") {
				return usageError{rehearse.WithHint(errors.New("--seed needs data to seed: without --scale, --rows or --tables the sandbox holds the schema only"),
					"add --scale X (e.g. 0.1), or --rows table=N")}
			}
			return nil
		}
		o.Scale = rehearsal.DefaultScale
		o.defaultScale = true
	}
	if o.Snapshot == "" {
		return usageError{errors.New("--scale, --rows and --tables need --snapshot FILE: the row counts are the snapshot's")}
	}
	if err := checkScale("--scale", o.Scale); err != nil {
		return err
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
	fmt.Fprintf(errOut, "rehearse: generating synthetic rows: %s\n", o.dataLine())
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

// dataLine says which rows the sandbox gets.
func (o *sandboxOptions) dataLine() string {
	scale := fmt.Sprintf("%g", o.Scale)
	if o.defaultScale {
		scale += " (rehearse run's default: no --scale given)"
	}
	return fmt.Sprintf("the snapshot's row counts × %s, seed %d", scale, o.Seed)
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

// startFilled starts `rehearse sandbox --snapshot FILE` with data through
// the data cache: a copy of the filled datadir when the cache holds it,
// else restored and generated as fillSandbox does, then kept for the next
// time. filled is false when the cache is off (--no-cache) or the engine
// has no datadir (dsn): the caller restores and generates itself.
func startFilled(ctx context.Context, eng engine.Engine, eopts engine.Options, o *sandboxOptions) (srv *engine.Server, filled bool, err error) {
	c, err := dataCache(o.NoCache, o.io.ErrOut)
	if err != nil || c == nil {
		return nil, false, err
	}
	snap, err := snapshot.LoadFile(o.Snapshot)
	if err != nil {
		return nil, false, err
	}
	d := datacache.Data{Snapshot: snap, Scale: o.Scale, Rows: o.rows, Tables: o.Tables, Seed: o.Seed}
	if _, err := datacache.KeyFor(ctx, eng, eopts, d); errors.Is(err, engine.ErrNoDatadir) {
		return nil, false, nil
	}
	errOut := o.io.ErrOut
	so := restore.StartOptions(snap, eopts)
	fmt.Fprintf(errOut, "rehearse: starting %s (--engine %s) for snapshot %s (%s %s, %d databases)\n",
		describeRequest(so), eng.Name(), o.Snapshot, snap.Source.Flavor, snap.Source.Version, len(snap.Schemas))
	prog := newProgressPrinter(errOut, o.io.ErrOutIsTTY)
	generated, finished := false, false
	srv, e, err := c.Fill(ctx, eng, eopts, d, datacache.FillOptions{
		Progress: prog.update,
		Restore:  restore.Options{Log: errOut},
		Generating: func() {
			generated = true
			fmt.Fprintf(errOut, "rehearse: generating synthetic rows: %s\n", o.dataLine())
		},
		Generated: func(notes []string) {
			prog.finish()
			finished = true
			for _, n := range notes {
				fmt.Fprintf(errOut, "rehearse: note: %s\n", n)
			}
		},
	})
	if generated && !finished {
		prog.finish()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		return nil, false, scrubPassword(err, dsnPassword(eopts.DSN))
	}
	if e != nil && !generated {
		fmt.Fprintf(errOut, "rehearse: synthetic rows from the data cache (key %s): %s\n", e.Manifest.Key.Short(), o.dataLine())
	}
	return srv, true, nil
}
