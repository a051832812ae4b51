package datacache

import (
	"context"
	"errors"
	"fmt"

	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/restore"
)

// GenerationOf is what a generation's result says, for the manifest.
func GenerationOf(res datagen.Result) Generation {
	g := Generation{Rows: res.Rows, TableRows: map[string]int64{}, Method: res.Method,
		Seconds: res.Elapsed.Seconds(), RowsPerSec: res.RowsPerSec(), Notes: res.Notes}
	for _, t := range res.Tables {
		g.TableRows[t.Schema+"."+t.Table] = t.Rows
	}
	return g
}

// FillOptions say how Fill reports.
type FillOptions struct {
	// Progress is datagen's progress callback while an entry is built.
	Progress func(datagen.Progress)
	// Restore is passed to restore.Into while an entry is built.
	Restore restore.Options
	// Generating, when set, is called as generation starts (an entry is
	// being built); Generated when it ends, with its notes.
	Generating func()
	Generated  func(notes []string)
}

// Fill returns a server for d as eng starts it for base, filled: started on
// a copy of the cached entry and verified, the entry built first when it is
// missing or found corrupt (a server started, the snapshot restored, the
// tables generated, then kept with Put). It returns the entry too (nil when
// it could not be kept: ErrNotKept is then only logged), so more servers
// can start on the same data: Entry.StartVerified, e.g. one per strategy
// a comparison rehearses. The caller stops the servers.
func (c *Cache) Fill(ctx context.Context, eng engine.Engine, base engine.Options, d Data, o FillOptions) (*engine.Server, *Entry, error) {
	key, err := KeyFor(ctx, eng, base, d)
	if err != nil {
		return nil, nil, err
	}
	e, err := c.Lookup(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	if e != nil {
		c.logf("entry %s: starting on a copy", key.Short())
		srv, err := e.StartVerified(ctx, eng, base, d.Snapshot)
		if err == nil {
			return srv, e, nil
		}
		if !errors.Is(err, ErrCorrupt) {
			return nil, nil, err
		}
	}
	c.logf("no entry %s: restoring and generating it", key.Short())
	kept := base
	kept.HostDatadir = true
	srv, err := restore.StartFor(ctx, eng, kept, d.Snapshot)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*engine.Server, *Entry, error) {
		stopQuietly(srv)
		return nil, nil, err
	}
	if err := restore.Into(ctx, srv, d.Snapshot, o.Restore); err != nil {
		return fail(err)
	}
	db, err := srv.Open("")
	if err != nil {
		return fail(err)
	}
	gopts := d.GenerateOptions()
	gopts.Progress = o.Progress
	if o.Generating != nil {
		o.Generating()
	}
	res, err := datagen.Generate(ctx, db, d.Snapshot, gopts)
	db.Close()
	if err == nil && o.Generated != nil {
		o.Generated(res.Notes)
	}
	if err != nil {
		return fail(err)
	}
	s2, e, _, err := c.Put(ctx, srv, eng, base, d.Snapshot, key, GenerationOf(res))
	if s2 != srv {
		stopQuietly(srv) // shut down by Put: removes what is left of it
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		if errors.Is(err, ErrNotKept) && s2 != nil && ctx.Err() == nil {
			c.logf("%v", err)
			return s2, nil, nil
		}
		if s2 != nil {
			stopQuietly(s2)
		}
		return nil, nil, err
	}
	if _, _, err := e.Verify(ctx, s2, d.Snapshot); err != nil {
		stopQuietly(s2)
		return nil, nil, fmt.Errorf("cache: the entry just kept: %w", err)
	}
	return s2, e, nil
}
