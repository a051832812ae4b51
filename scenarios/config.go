package scenarios

import (
	"fmt"
	"regexp"

	"github.com/rehearse/rehearse/rehearse/run"
)

// Config is a variant's rehearse.yaml, in the format `rehearse run --config`
// reads (run.Config): snapshot, migrations, scale, load, lock_wait_timeout,
// inject, gates. Paths are relative to the scenario's folder.
type Config = run.Config

// parseConfig reads a variant's rehearse.yaml with the rehearsal's own
// parser (so a gate or injection the rehearsal would reject fails here) and
// requires the inputs a scenario must name.
func parseConfig(name string, data []byte) (*Config, error) {
	c, err := run.ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if c.Snapshot == "" || c.Migrations == "" {
		return nil, fmt.Errorf("%s: snapshot and migrations are required", name)
	}
	if c.Scale <= 0 || c.Load.Rate <= 0 || c.Load.Baseline == "" {
		return nil, fmt.Errorf("%s: scale, load.rate and load.baseline are required", name)
	}
	return c, nil
}

var (
	snapshotKey   = regexp.MustCompile(`(?m)^snapshot:.*$`)
	migrationsKey = regexp.MustCompile(`(?m)^migrations:.*$`)
)

// rewritePaths points a rehearse.yaml's snapshot and migrations keys at new
// paths, keeping everything else (comments included) as written.
func rewritePaths(data []byte, snapshot, migrations string) []byte {
	data = snapshotKey.ReplaceAll(data, []byte("snapshot: "+snapshot))
	return migrationsKey.ReplaceAll(data, []byte("migrations: "+migrations))
}
