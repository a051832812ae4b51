package datacache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

// Start starts a server for snap on a copy of the entry: restore.StartFor
// with base (the same flavor, version and settings a rehearsal asks for)
// and base.Datadir set to the entry. The copy is taken under a shared lock,
// so the entry is not removed meanwhile; several servers can start from one
// entry at once. An entry whose files disagree with its manifest (sizes,
// then every file's CRC-32C, read while the copy is taken and the server
// starts: a server started on a damaged copy is stopped), or on whose copy
// the server does not start, is removed and the error wraps ErrCorrupt.
// Start does not check the rows: Verify does.
func (e *Entry) Start(ctx context.Context, eng engine.Engine, base engine.Options, snap *snapshot.Snapshot) (*engine.Server, error) {
	id := e.Manifest.ID
	l, err := e.c.lockShared(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(e.Dir); err != nil {
		l.unlock()
		return nil, fmt.Errorf("%w: entry %s was removed meanwhile", ErrCorrupt, id[:12])
	}
	if why := e.Manifest.checkSizes(e.Datadir()); why != "" {
		l.unlock()
		return nil, e.discard(ctx, why)
	}
	type sums struct {
		why     string
		err     error
		elapsed time.Duration
	}
	sctx, cancelSums := context.WithCancel(ctx)
	defer cancelSums()
	summed := make(chan sums, 1)
	go func() {
		t0 := time.Now()
		why, err := e.Manifest.checkSums(sctx, e.Datadir())
		summed <- sums{why, err, time.Since(t0)}
	}()
	base.Datadir = e.Datadir()
	srv, err := restore.StartFor(ctx, eng, base, snap)
	s := <-summed // also when the start failed: a damaged file says why
	l.unlock()
	if err == nil && (s.err != nil || s.why != "") {
		stopQuietly(srv)
		if s.err != nil {
			return nil, s.err
		}
		return nil, e.discard(ctx, s.why)
	}
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, engine.ErrUnavailable) {
			return nil, err
		}
		if s.why != "" {
			return nil, e.discard(ctx, s.why)
		}
		return nil, e.discard(ctx, fmt.Sprintf("the server did not start on a copy of it: %v", err))
	}
	e.c.logf("entry %s: %d files checked (sizes and CRC-32C of %s) in %s, while the copy was taken and the server started", id[:12], len(e.Manifest.Files), mysqlkit.BytesSI(e.Manifest.Bytes), s.elapsed.Round(time.Millisecond))
	touch(e.Dir)
	return srv, nil
}

// Verify checks a server Start started against the entry's manifest: the
// server's version, and every table's row count and sample checksum. On a
// difference the entry is removed and the error wraps ErrCorrupt (the
// caller stops srv). It returns the tables and rows it checked.
func (e *Entry) Verify(ctx context.Context, srv *engine.Server, snap *snapshot.Snapshot) (tables int, rows int64, err error) {
	m := e.Manifest
	if srv.Version != m.Server.Version || string(srv.Flavor) != m.Server.Flavor {
		return 0, 0, e.discard(ctx, fmt.Sprintf("it was made by %s %s, the server is %s %s", m.Server.Flavor, m.Server.Version, srv.Flavor, srv.Version))
	}
	db, err := srv.Open("")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	settings, err := fileSettings(ctx, db)
	if err != nil {
		return 0, 0, err
	}
	if diff := compareSettings(m.Server.Settings, settings); diff != "" {
		return 0, 0, e.discard(ctx, diff)
	}
	got, err := checkTables(ctx, db, snap)
	if err != nil {
		if ctx.Err() != nil {
			return 0, 0, ctx.Err()
		}
		return 0, 0, e.discard(ctx, err.Error())
	}
	if diff := compareChecks(m.Tables, got); diff != "" {
		return 0, 0, e.discard(ctx, diff)
	}
	for _, c := range got {
		rows += c.Rows
	}
	return len(got), rows, nil
}

// StartVerified is Start then Verify; the server is stopped when Verify
// fails.
func (e *Entry) StartVerified(ctx context.Context, eng engine.Engine, base engine.Options, snap *snapshot.Snapshot) (*engine.Server, error) {
	srv, err := e.Start(ctx, eng, base, snap)
	if err != nil {
		return nil, err
	}
	if _, _, err := e.Verify(ctx, srv, snap); err != nil {
		stopQuietly(srv)
		return nil, err
	}
	return srv, nil
}

// discard removes a corrupt entry and returns the error saying why.
func (e *Entry) discard(ctx context.Context, why string) error {
	id := e.Manifest.ID
	e.c.logf("entry %s is corrupt (%s): removing it; it is built again", id[:12], why)
	err := fmt.Errorf("%w %s: %s", ErrCorrupt, id[:12], why)
	if rerr := e.c.remove(context.WithoutCancel(ctx), id); rerr != nil {
		return fmt.Errorf("%w (and removing it failed: %v)", err, rerr)
	}
	return err
}

func stopQuietly(srv *engine.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_ = srv.Stop(ctx)
}
