package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

// startFromSnapshot is `rehearse sandbox --snapshot FILE`: load and validate
// the snapshot, start the matching server with its settings (refusing the
// snapshot's own source through the dsn engine), restore schema and
// history. It returns the snapshot too, for fillSandbox. Owned by the
// snapshot helper; sandbox.go calls it.
func startFromSnapshot(ctx context.Context, eng engine.Engine, eopts engine.Options, path string, log io.Writer) (*engine.Server, *snapshot.Snapshot, error) {
	snap, err := snapshot.LoadFile(path)
	if err != nil {
		return nil, nil, err
	}
	so := restore.StartOptions(snap, eopts)
	fmt.Fprintf(log, "rehearse: starting %s (--engine %s) for snapshot %s (%s %s, %d databases)\n",
		describeRequest(so), eng.Name(), path, snap.Source.Flavor, snap.Source.Version, len(snap.Schemas))
	srv, err := restore.Sandbox(ctx, eng, eopts, snap, restore.Options{Log: log})
	return srv, snap, err
}
