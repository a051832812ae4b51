package datacache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

// ErrNotKept is wrapped by Put's errors when the entry was not kept but the
// rehearsal can go on (the cache was too small, the disk too full): Put
// then returns the server it was given, still running.
var ErrNotKept = errors.New("not kept in the cache")

// PutStats time Put's steps.
type PutStats struct {
	Check    time.Duration // row counts and samples on the filled server
	Shutdown time.Duration // the clean shutdown and the move of the datadir
	Start    time.Duration // the server started on a copy of the entry
	Bytes    int64         // the entry's datadir, allocated
	Raced    bool          // another process kept the same entry first; it is used
}

// Put keeps the filled server srv's datadir as the entry for key and
// returns a server started on a copy of it (not yet verified: call
// Entry.Verify), with the entry. srv is checked (row counts and samples,
// for the manifest), shut down cleanly and its datadir moved into a build
// folder, which is renamed into place only when complete. base and snap are
// what srv was started with (restore.StartFor), gen what filled it.
//
// When the entry is not kept (the free disk, checked before the shutdown;
// the cap, checked with the entry's size; a failed write) the error wraps
// ErrNotKept and the returned server holds the same data (srv itself, or
// one started on the datadir srv left). Any other error means no server:
// the rehearsal cannot go on (nothing is left in the cache).
func (c *Cache) Put(ctx context.Context, srv *engine.Server, eng engine.Engine, base engine.Options, snap *snapshot.Snapshot, key Key, gen Generation) (*engine.Server, *Entry, PutStats, error) {
	var st PutStats
	id := key.ID()
	c.CleanStale()
	t0 := time.Now()
	db, err := srv.Open("")
	if err != nil {
		return srv, nil, st, fmt.Errorf("%w: %v", ErrNotKept, err)
	}
	checks, err := checkTables(ctx, db, snap)
	var settings map[string]string
	if err == nil {
		settings, err = fileSettings(ctx, db)
	}
	db.Close()
	if err != nil {
		return srv, nil, st, fmt.Errorf("%w: %v", ErrNotKept, err)
	}
	st.Check = time.Since(t0)
	size, err := srv.DatadirBytes()
	if err != nil {
		return srv, nil, st, fmt.Errorf("%w: %v", ErrNotKept, err)
	}
	st.Bytes = size
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return srv, nil, st, fmt.Errorf("%w: %v", ErrNotKept, err)
	}
	// The server restarts on a copy of the entry: that copy needs the room
	// (the move into the cache is a rename on one file system).
	if free, err := freeBytes(c.Dir); err == nil && free < size+size/10+(512<<20) {
		return srv, nil, st, fmt.Errorf("%w: %s free on the cache's disk, the entry and the copy a server starts on need %s",
			ErrNotKept, mysqlkit.BytesSI(free), mysqlkit.BytesSI(size+size/10+(512<<20)))
	}

	t0 = time.Now()
	tmp, err := os.MkdirTemp(c.Dir, fmt.Sprintf(".build-%d-", os.Getpid()))
	if err != nil {
		return srv, nil, st, fmt.Errorf("%w: %v", ErrNotKept, err)
	}
	// goOn keeps nothing and starts a server on a copy of the whole
	// datadir srv left (in the build folder, or where it was).
	goOn := func(why error, datadir string) (*engine.Server, *Entry, PutStats, error) {
		c.logf("entry %s not kept (%v): going on without it", id[:12], why)
		t0 := time.Now()
		b := base
		b.Datadir = datadir
		s2, err := restore.StartFor(ctx, eng, b, snap)
		st.Start = time.Since(t0)
		if err != nil {
			return nil, nil, st, fmt.Errorf("cache: %v; and restarting the server failed: %w", why, err)
		}
		return s2, nil, st, fmt.Errorf("%w: %v", ErrNotKept, why)
	}
	placed := false
	defer func() {
		if !placed {
			_ = os.RemoveAll(tmp)
		}
	}()
	if err := srv.KeepDatadir(ctx, filepath.Join(tmp, "datadir")); err != nil {
		if !errors.Is(err, engine.ErrDatadirNotMoved) || ctx.Err() != nil {
			return nil, nil, st, fmt.Errorf("cache: keep the filled datadir: %w", err)
		}
		// The disk filled up while the datadir was copied into the
		// cache: keep nothing, start on a copy of the datadir where it is.
		return goOn(err, srv.HostDatadir())
	}
	st.Shutdown = time.Since(t0)
	m := &Manifest{Format: Format, ID: id, Key: key, CreatedAt: time.Now().UTC(), Generation: gen, Tables: checks}
	m.Server.Flavor, m.Server.Version, m.Server.Settings = string(srv.Flavor), srv.Version, settings
	m.Files, m.Bytes, m.Allocated, err = listFiles(filepath.Join(tmp, "datadir"))
	if err == nil {
		err = sumFiles(ctx, filepath.Join(tmp, "datadir"), m.Files)
	}
	if err == nil {
		// The cap, with the entry's own size (a running server's datadir
		// holds temporary files its shutdown removes).
		var fits bool
		if fits, err = c.evict(ctx, m.Allocated, id); err == nil && !fits {
			err = fmt.Errorf("the filled datadir (%s) is larger than the cache's cap (%s)", mysqlkit.BytesSI(m.Allocated), mysqlkit.BytesSI(c.maxSize(0)))
		}
	}
	if err == nil {
		err = m.write(tmp)
	}
	if err == nil {
		touch(tmp)
		err = os.Rename(tmp, c.entryDir(id))
		if err != nil && c.exists(id) {
			// Another rehearsal built the same entry at the same time:
			// the first rename wins, and its entry is the same data.
			c.logf("entry %s was kept by another rehearsal first: using it", id[:12])
			st.Raced, err = true, nil
		} else if err == nil {
			placed = true
		}
	}
	if err != nil {
		// The datadir is in the build folder, whole: start from it, and
		// keep nothing.
		return goOn(err, filepath.Join(tmp, "datadir"))
	}
	c.logf("kept entry %s (%s)", id[:12], mysqlkit.BytesSI(m.Allocated))
	e, err := c.Lookup(ctx, key)
	if err == nil && e == nil {
		err = fmt.Errorf("entry %s vanished after it was kept", id[:12])
	}
	if err != nil {
		return nil, nil, st, fmt.Errorf("cache: %w", err)
	}
	t0 = time.Now()
	s2, err := e.Start(ctx, eng, base, snap)
	st.Start = time.Since(t0)
	if err != nil {
		return nil, nil, st, fmt.Errorf("cache: restart on the kept entry: %w", err)
	}
	return s2, e, st, nil
}

func (c *Cache) exists(id string) bool {
	_, err := os.Stat(filepath.Join(c.entryDir(id), manifestName))
	return err == nil
}
