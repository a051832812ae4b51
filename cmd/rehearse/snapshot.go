package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

func init() { subcommands = append(subcommands, newSnapshotCmd) }

type snapshotOptions struct {
	io           *ioStreams
	DSN          string
	Output       string
	Databases    []string
	ColumnStats  bool
	SampleRows   int
	Digests      bool
	ExactCounts  bool
	HistoryTable []string
	HistoryCol   string
	Timeout      time.Duration
	MaxLockHold  time.Duration
	FromDump     string
	Database     string
	SkipPrivs    bool
	engine       *engineFlags // --from-dump's sandbox
	// --migrations: the release, for its literals' counts (snapshot.Literals).
	Migrations, MigFormat, MigPattern string
}

func newSnapshotCmd(io *ioStreams) *cobra.Command {
	opts := &snapshotOptions{io: io, engine: &engineFlags{}}
	cmd := &cobra.Command{
		Use:   "snapshot (--dsn DSN | --from-dump FILE) [-o FILE]",
		Short: "Capture a server's schema, migration history, settings and statistics (never its rows)",
		Long: `Capture a picture of a MySQL or MariaDB server into a versioned JSON file
(format rehearse.snapshot/v1, docs/snapshot-format.md): server identity (host
redacted, never a password), the settings that change DDL behaviour, every
selected database's tables, views, triggers, routines and events, per-table
statistics from the catalog, the migration history of whichever runner the
database uses, and optionally column aggregates and workload digests.

The capture only reads: one read-only session in autocommit (forced, whatever
the DSN says), SELECT and SHOW on the catalogs, each statement time-limited
(--timeout). Reading a table's rows (--column-stats samples, --exact-counts)
holds its shared metadata lock, which an ALTER arriving on the server waits for:
every such statement is limited to --max-lock-hold (2 s) by the server itself,
samples are slices along the primary key and counts go in chunks along it, so
an ALTER waits at most that long. It needs only the read-only GRANT in
docs/snapshot-format.md. Put the password in $REHEARSE_SOURCE_DSN rather
than on the command line ($REHEARSE_DSN still works for one release, with a
warning; it is never used as a target).

--from-dump loads a mysqldump --no-data style file (DELIMITER, routines,
triggers, views) into a throwaway sandbox and snapshots that.

--migrations DIR (optional) gives the snapshot the release: for each pending
migration (by the captured history) whose DML compares a column to literals in
its WHERE (=, <>, !=, IN, IS NULL; the literals are the files', never
production's), it counts production's rows holding each literal and, per
foreign key referencing the table, the child rows referencing them: counts
only, each within --max-lock-hold (snapshot field literals). Generated data
then holds the literals in the same share, so a DELETE production applies
is not refused by synthetic children.`,
		Example: `  REHEARSE_SOURCE_DSN='rehearse:secret@tcp(db-prod:3306)/' rehearse snapshot -o prod.json
  rehearse snapshot --dsn 'rehearse@tcp(staging:3306)/' --databases app,billing -o staging.json
  rehearse snapshot --dsn "$DSN" --column-stats --digests --exact-counts -o prod-full.json
  rehearse snapshot --dsn "$DSN" --column-stats --exact-counts --migrations migrations -o prod-release.json
  rehearse snapshot --from-dump schema.sql -o schema.json
  rehearse snapshot --dsn "$DSN" --databases auth --history-table migrations --history-version-column version_after -o auth.json
  rehearse snapshot --from-dump app.sql --database app --flavor mysql --version 9.7 -o app.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.DSN == "" && opts.FromDump == "" {
				opts.DSN = sourceDSN(opts.io.ErrOut)
			}
			if (opts.DSN == "") == (opts.FromDump == "") {
				return usageError{errors.New("give either --dsn (or $REHEARSE_SOURCE_DSN) or --from-dump")}
			}
			if opts.SampleRows < 0 || opts.Timeout < 0 {
				return usageError{errors.New("--sample-rows and --timeout must not be negative")}
			}
			if opts.MaxLockHold < time.Millisecond {
				return usageError{rehearse.WithHint(fmt.Errorf("--max-lock-hold %s: must be at least 1ms", opts.MaxLockHold),
					"give the longest a statement may hold a table's metadata lock on the server, e.g. --max-lock-hold 2s")}
			}
			return snapshotRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.DSN, "dsn", "", "server to capture: user:pass@tcp(host:3306)/ or mysql://user:pass@host:3306/ (default $REHEARSE_SOURCE_DSN)")
	f.StringVarP(&opts.Output, "output", "o", "-", "file to write (- for standard output)")
	f.StringSliceVar(&opts.Databases, "databases", nil, "databases to capture, comma-separated (default: all but the system ones)")
	f.BoolVar(&opts.ColumnStats, "column-stats", false, "add per-column aggregates from a bounded sample (null fraction, distinct, min/max of numbers and dates, string lengths)")
	f.IntVar(&opts.SampleRows, "sample-rows", 10000, "rows sampled per table for --column-stats")
	f.BoolVar(&opts.Digests, "digests", false, "add the workload's statement digests from performance_schema")
	f.BoolVar(&opts.ExactCounts, "exact-counts", false, "add exact row counts (reads every row, in chunks along the primary key, each within --max-lock-hold)")
	f.DurationVar(&opts.MaxLockHold, "max-lock-hold", snapshot.DefaultMaxLockHold, "longest a statement reading a table's rows may run, and so hold the table's metadata lock an ALTER would wait for")
	f.StringArrayVar(&opts.HistoryTable, "history-table", nil, "migration history table (TABLE or DB.TABLE) instead of auto-detection (repeatable)")
	f.StringVar(&opts.HistoryCol, "history-version-column", "", "an in-house runner's history: the `COLUMN` of --history-table holding the version (its last row is the current version)")
	f.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "time limit of each catalog statement on the server")
	f.BoolVar(&opts.SkipPrivs, "skip-privilege-check", false, "skip the up-front privilege check (accounts whose privileges come from roles)")
	f.StringVar(&opts.Migrations, "migrations", "", "the release's migrations folder")
	f.StringVar(&opts.MigFormat, "migrations-format", "", migrationsFormatUsage)
	f.StringVar(&opts.MigPattern, "migrations-pattern", "", migrationsPatternUsage)
	f.StringVar(&opts.FromDump, "from-dump", "", "snapshot a mysqldump --no-data style file by loading it into a sandbox")
	f.StringVar(&opts.Database, "database", "", "--from-dump: database to load a dump without CREATE DATABASE/USE into")
	f.StringVar(&opts.engine.Engine, "engine", "auto", "--from-dump: where the sandbox runs: auto|docker|local")
	f.StringVar(&opts.engine.Flavor, "flavor", "", "--from-dump: server flavor (mysql or mariadb)")
	f.StringVar(&opts.engine.Version, "version", "", "--from-dump: server version, e.g. 10.11 or 9.7")
	f.StringVar(&opts.engine.Image, "image", "", "--from-dump: docker image")
	f.StringVar(&opts.engine.Rootfs, "rootfs", "", "--from-dump: local engine root file system (from `make images`)")
	f.StringVar(&opts.engine.Basedir, "basedir", "", "--from-dump: local engine server install folder")
	return cmd
}

func snapshotRun(ctx context.Context, opts *snapshotOptions) error {
	co := snapshot.CaptureOptions{
		Databases:            opts.Databases,
		ColumnStats:          opts.ColumnStats,
		SampleRows:           opts.SampleRows,
		Digests:              opts.Digests,
		ExactCounts:          opts.ExactCounts,
		HistoryTables:        opts.HistoryTable,
		HistoryVersionColumn: opts.HistoryCol,
		StatementTimeout:     opts.Timeout,
		MaxLockHold:          opts.MaxLockHold,
		SkipPrivilegeCheck:   opts.SkipPrivs,
		Tool:                 toolName(),
		Log:                  prefixWriter{opts.io.ErrOut},
	}
	if err := checkOutFile("-o", opts.Output); err != nil {
		return err
	}
	if opts.FromDump != "" && opts.Migrations != "" {
		return usageError{rehearse.WithHint(errors.New("--migrations with --from-dump: a dump holds no rows to count the release's literals in"),
			"give --migrations with --dsn (production), or leave it out")}
	}
	var snap *snapshot.Snapshot
	var err error
	if opts.FromDump != "" {
		snap, err = snapshotFromDump(ctx, opts, co)
	} else {
		snap, err = snapshotFromDSN(ctx, opts.DSN, co, opts.releaseLiterals(ctx))
	}
	if err != nil {
		return err
	}
	if opts.Output == "-" {
		err = snapshot.Write(opts.io.Out, snap)
	} else {
		err = snapshot.WriteFile(opts.Output, snap)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.io.ErrOut, "rehearse: %s\n", snapshotSummary(snap, opts.Output))
	return nil
}

// releaseLiterals is nil without --migrations; else it reads the release
// and lists the pending migrations' literal comparisons against the
// snapshot's history.
func (opts *snapshotOptions) releaseLiterals(ctx context.Context) func(*snapshot.Snapshot) ([]snapshot.LiteralQuery, error) {
	if opts.Migrations == "" {
		return nil
	}
	return func(snap *snapshot.Snapshot) ([]snapshot.LiteralQuery, error) {
		set, err := migrations.Load(ctx, migrations.Options{Dir: opts.Migrations, Format: opts.MigFormat, Pattern: opts.MigPattern, Flavor: snap.Source.Flavor})
		if err != nil {
			return nil, err
		}
		return plan.LiteralQueries(migrations.Pending(set, snap)), nil
	}
}

func snapshotFromDSN(ctx context.Context, dsn string, co snapshot.CaptureOptions, literals func(*snapshot.Snapshot) ([]snapshot.LiteralQuery, error)) (*snapshot.Snapshot, error) {
	cfg, err := engine.ParseUserDSN(dsn)
	if err != nil {
		return nil, rehearse.WithHint(errors.New("--dsn: cannot read the DSN (not shown: it may hold a password)"),
			"write it as user:password@tcp(host:3306)/ or mysql://user:password@host:3306/")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	// The session forces autocommit itself; a DSN's autocommit=0 must not
	// even reach the server as a connection parameter. A statement the
	// server does not stop (MySQL bounds only SELECTs) is given up by the
	// client.
	delete(cfg.Params, "autocommit")
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = co.StatementTimeout + 10*time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	if cfg.DBName != "" && len(co.Databases) == 0 {
		co.Databases = []string{cfg.DBName}
	}
	cfg.DBName = ""
	co.Host = cfg.Addr
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("--dsn: %w", err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	db.SetMaxOpenConns(2)
	snap, err := snapshot.Capture(ctx, db, co)
	if err == nil && literals != nil {
		var qs []snapshot.LiteralQuery
		if qs, err = literals(snap); err == nil {
			err = snapshot.CaptureLiterals(ctx, db, snap, qs, co)
		}
	}
	if err != nil && cfg.Passwd != "" {
		err = scrubPassword(err, cfg.Passwd)
	}
	return snap, err
}

// snapshotFromDump loads the dump into a throwaway sandbox, snapshots it and
// removes the sandbox.
func snapshotFromDump(ctx context.Context, opts *snapshotOptions, co snapshot.CaptureOptions) (*snapshot.Snapshot, error) {
	f, err := os.Open(opts.FromDump)
	if err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("--from-dump: %w", err), "give the path of a .sql file (mysqldump --no-data output)")
	}
	defer f.Close()
	eng, eopts, err := opts.engine.build(opts.io.ErrOut)
	if err != nil {
		return nil, err
	}
	if eng.Name() == "dsn" {
		return nil, rehearse.WithHint(errors.New("--from-dump loads the dump into a throwaway server, not into an existing one"),
			"pass --engine auto, local or docker")
	}
	fmt.Fprintf(opts.io.ErrOut, "rehearse: starting %s (--engine %s) to load %s\n", describeRequest(eopts), eng.Name(), opts.FromDump)
	srv, err := eng.Start(ctx, eopts)
	if err != nil {
		return nil, err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = srv.Stop(sctx)
	}()
	db, err := srv.Open("")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var before map[string]bool
	if len(co.Databases) == 0 {
		if before, err = databaseSet(ctx, db); err != nil {
			return nil, err
		}
	}
	if err := restore.LoadDump(ctx, db, f, restore.DumpOptions{Name: opts.FromDump, Database: opts.Database, Log: prefixWriter{opts.io.ErrOut}}); err != nil {
		return nil, err
	}
	if len(co.Databases) == 0 { // the dump's databases, not the sandbox's own
		after, err := databaseSet(ctx, db)
		if err != nil {
			return nil, err
		}
		for d := range after {
			if !before[d] {
				co.Databases = append(co.Databases, d)
			}
		}
		if len(co.Databases) == 0 {
			return nil, rehearse.WithHint(fmt.Errorf("--from-dump %s created no database", opts.FromDump),
				"pass --database NAME for a dump without CREATE DATABASE/USE")
		}
	}
	co.Origin = "dump:" + filepath.Base(opts.FromDump)
	co.Host = ""
	return snapshot.Capture(ctx, db, co)
}

func databaseSet(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

func snapshotSummary(s *snapshot.Snapshot, out string) string {
	var tables, views, routines, triggers int
	for _, sc := range s.Schemas {
		tables += len(sc.Tables)
		views += len(sc.Views)
		routines += len(sc.Routines)
		triggers += len(sc.Triggers)
	}
	var hist []string
	for _, h := range s.History {
		hist = append(hist, fmt.Sprintf("%s %s.%s (%d entries)", h.Runner, h.Schema, h.Table, len(h.Entries)))
	}
	if len(hist) == 0 {
		hist = []string{"none found"}
	}
	where := out
	if out == "-" {
		where = "standard output"
	}
	return fmt.Sprintf("snapshot of %s %s: %d databases, %d tables, %d views, %d routines, %d triggers; history: %s -> %s",
		s.Source.Flavor, s.Source.Version, len(s.Schemas), tables, views, routines, triggers, strings.Join(hist, ", "), where)
}

// scrubPassword removes a password from an error's text (a driver error
// may echo parts of the DSN).
func scrubPassword(err error, password string) error {
	if password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	msg := strings.ReplaceAll(err.Error(), password, "***")
	if h := rehearse.Hint(err); h != "" {
		return rehearse.WithHint(errors.New(msg), "%s", h)
	}
	return errors.New(msg)
}

// prefixWriter prefixes library log lines with "rehearse: ".
type prefixWriter struct{ w io.Writer }

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := fmt.Fprintf(p.w, "rehearse: %s", b); err != nil {
		return 0, err
	}
	return len(b), nil
}
