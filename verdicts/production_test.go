package verdicts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/snapshot"
)

// targets are the servers the corpus judges on, by flavor: production's
// server and the flavor of the rehearsal.
var targets = map[string]func() testserver.Target{
	"mariadb": testserver.LocalMariaDB,
	"mysql":   testserver.LocalMySQL,
}

// production is one flavor's production server: every case's production
// is a database on it, captured with the project's snapshot code.
type production struct {
	srv *engine.Server
}

// capture makes the case's production (its setup applied to a fresh
// database) and writes its snapshot — schema, history, settings, exact row
// counts and column statistics, as `rehearse snapshot --column-stats
// --exact-counts` takes it — to path.
func (p *production) capture(ctx context.Context, c *Case, rel *Release, path string) error {
	name := c.Database()
	root, err := p.srv.Open("")
	if err != nil {
		return err
	}
	defer root.Close()
	for _, q := range []string{"DROP DATABASE IF EXISTS `" + name + "`", "CREATE DATABASE `" + name + "`"} {
		if _, err := root.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	cfg, err := mysql.ParseDSN(p.srv.DSNFor(name))
	if err != nil {
		return err
	}
	cfg.MultiStatements = true
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range rel.Setup {
		if _, err := db.ExecContext(ctx, s.SQL); err != nil {
			return fmt.Errorf("setup %s: %w", s.Name, err)
		}
	}
	co := snapshot.CaptureOptions{Databases: []string{name}, ColumnStats: true, ExactCounts: true, Tool: "rehearse verdicts"}
	if c.History != nil {
		co.HistoryTables, co.HistoryVersionColumn = []string{name + "." + c.History.Table}, c.History.VersionColumn
	}
	snap, err := snapshot.Capture(ctx, root, co)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if c.ReleaseStats {
		// As `rehearse snapshot --migrations`: the pending migrations by
		// the captured history, their literals counted on production.
		set, err := migrations.Load(ctx, migrations.Options{Dir: rel.Migrations, Pattern: c.Pattern, Flavor: snap.Source.Flavor})
		if err != nil {
			return fmt.Errorf("snapshot --migrations: %w", err)
		}
		pending := migrations.Pending(set, snap)
		if len(pending) == 0 {
			return fmt.Errorf("snapshot --migrations %s: no pending migration against the captured history", rel.Migrations)
		}
		if err := snapshot.CaptureLiterals(ctx, root, snap, plan.LiteralQueries(pending), co); err != nil {
			return fmt.Errorf("snapshot --migrations: %w", err)
		}
	}
	if err := snapshot.WriteFile(path, snap); err != nil {
		return err
	}
	_, err = root.ExecContext(ctx, "DROP DATABASE `"+name+"`")
	return err
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// rehearseBin builds cmd/rehearse from this tree once per test process: the
// corpus judges what a user runs, the command with its defaults.
func rehearseBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "verdicts-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "rehearse")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/rehearse").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/rehearse: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// command runs the rehearse binary; it returns the exit code (0, 1, 2)
// and what it wrote on standard error.
func command(ctx context.Context, bin string, args ...string) (int, string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Stdout = nil
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String(), nil
	case errors.As(err, &ee) && ee.ExitCode() > 0:
		return ee.ExitCode(), stderr.String(), nil
	}
	return -1, stderr.String(), fmt.Errorf("rehearse %s: %w", args[0], err)
}
