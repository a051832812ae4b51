package snapshot

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// CaptureOptions say what a capture reads. The zero value captures every
// non-system database's schema, statistics and migration history.
type CaptureOptions struct {
	// Databases to capture; empty means every database except the system
	// ones (mysql, information_schema, performance_schema, sys).
	Databases []string
	// ExactCounts adds an exact row count per table, counted in chunks along
	// its primary (or a unique NOT NULL) key, each chunk one statement
	// within MaxLockHold; a table without such a key is counted in one
	// statement within MaxLockHold, and keeps its estimate when that is not
	// enough.
	ExactCounts bool
	// ColumnStats adds per-column aggregates over a bounded sample.
	ColumnStats bool
	SampleRows  int // rows sampled per table for ColumnStats (default 10,000)
	// Digests adds the workload's statement digests.
	Digests     bool
	DigestLimit int // default 1,000
	// HistoryTables names the migration history table(s) ("table" or
	// "db.table") instead of detecting them by name and shape.
	HistoryTables []string
	// HistoryVersionColumn reads HistoryTables as an in-house runner's
	// history: this column holds the version, the last row (in primary-key
	// order) the current one (history.Custom).
	HistoryVersionColumn string
	// StatementTimeout bounds every statement of the capture (default 30 s).
	StatementTimeout time.Duration
	// MaxLockHold bounds every statement that reads a table's rows
	// (--column-stats samples, --exact-counts chunks): the longest a DDL
	// arriving on production waits behind the capture (default 2 s).
	MaxLockHold time.Duration
	// Host is the server address as the user gave it; it is stored redacted.
	Host string
	// Origin is recorded as Source.Origin ("server" by default).
	Origin string
	// Tool is recorded as the snapshot's Tool ("rehearse <version>").
	Tool string
	// SkipPrivilegeCheck skips the up-front privilege check (the statements
	// still fail on a missing privilege; triggers and events a missing
	// privilege hides go unnoticed).
	SkipPrivilegeCheck bool
	// Log receives warnings and progress, one line each (never a password).
	Log io.Writer
}

// systemSchemas are never captured unless named.
var systemSchemas = map[string]bool{"mysql": true, "information_schema": true, "performance_schema": true, "sys": true}

// DefaultMaxLockHold is CaptureOptions.MaxLockHold's default.
const DefaultMaxLockHold = 2 * time.Second

// Capture reads a snapshot of the server behind db. It only reads: one
// read-only session in autocommit, SELECT and SHOW on catalogs, history
// tables and (with ColumnStats, ExactCounts) bounded samples and chunked
// counts, every statement time-bounded, no lock held longer than one
// statement and no statement reading rows longer than MaxLockHold. db is
// not closed.
func Capture(ctx context.Context, db *sql.DB, opts CaptureOptions) (*Snapshot, error) {
	if opts.StatementTimeout <= 0 {
		opts.StatementTimeout = 30 * time.Second
	}
	if opts.SampleRows <= 0 {
		opts.SampleRows = 10000
	}
	if opts.MaxLockHold <= 0 {
		opts.MaxLockHold = DefaultMaxLockHold
	}
	if opts.DigestLimit <= 0 {
		opts.DigestLimit = 1000
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	s, err := openSession(ctx, db, opts.StatementTimeout, opts.MaxLockHold, logf)
	if err != nil {
		return nil, err
	}
	defer s.Close()

	snap := &Snapshot{Format: FormatV1, CreatedAt: time.Now().UTC().Truncate(time.Second), Tool: opts.Tool}
	if err := s.captureSource(ctx, &snap.Source, opts); err != nil {
		return nil, err
	}
	names, err := s.selectSchemas(ctx, opts.Databases)
	if err != nil {
		return nil, err
	}
	if !opts.SkipPrivilegeCheck {
		if err := s.checkPrivileges(ctx, names); err != nil {
			return nil, err
		}
	}
	if snap.Settings, err = s.captureSettings(ctx); err != nil {
		return nil, err
	}
	for _, name := range names {
		sc, err := s.captureSchema(ctx, name, opts)
		if err != nil {
			return nil, err
		}
		snap.Schemas = append(snap.Schemas, sc)
	}
	if snap.History, err = s.captureHistory(ctx, snap.Schemas, opts.HistoryTables, opts.HistoryVersionColumn); err != nil {
		return nil, err
	}
	if opts.Digests {
		if snap.Digests, err = s.captureDigests(ctx, names, opts.DigestLimit); err != nil {
			return nil, err
		}
	}
	return snap, nil
}

func (s *session) captureSource(ctx context.Context, src *Source, opts CaptureOptions) error {
	var comment sql.NullString
	if err := s.conn.QueryRowContext(ctx, "SELECT @@version_comment").Scan(&comment); err != nil {
		return fmt.Errorf("read server identity: %w", err)
	}
	uuid, err := mysqlkit.ServerUUID(ctx, s.conn)
	if err != nil {
		return fmt.Errorf("read server identity: %w", err)
	}
	src.Flavor = s.flavor
	src.Version = cleanVersion(s.version)
	src.VersionComment = comment.String
	src.ServerUUID = uuid
	if src.Identity, err = ReadIdentity(ctx, s.conn); err != nil {
		return err
	}
	if src.Identity.TopologyUnknown != "" {
		s.log("warning: %s; the snapshot cannot tell a replica of this server from another server", src.Identity.TopologyUnknown)
	}
	ReadTopology(ctx, s.conn, src.Identity)
	if src.Identity.ReplicasUnknown != "" {
		s.log("note: %s", src.Identity.ReplicasUnknown)
	}
	src.Host = RedactHost(opts.Host)
	src.Origin = opts.Origin
	if src.Origin == "" {
		src.Origin = "server"
	}
	return nil
}

func cleanVersion(v string) string {
	if i := strings.IndexAny(v, "-+ "); i >= 0 {
		return v[:i]
	}
	return v
}

// selectSchemas resolves the databases to capture, failing on one that does
// not exist (or is invisible to this account).
func (s *session) selectSchemas(ctx context.Context, want []string) ([]string, error) {
	rs, err := s.rows(ctx, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME")
	if err != nil {
		return nil, fmt.Errorf("list databases: %w", err)
	}
	have := map[string]bool{}
	var all []string
	for _, r := range rs {
		n := r.str("schema_name")
		have[n] = true
		if !systemSchemas[strings.ToLower(n)] {
			all = append(all, n)
		}
	}
	if len(want) == 0 {
		if len(all) == 0 {
			return nil, rehearse.WithHint(fmt.Errorf("the server has no database besides the system ones that this account can see"),
				"grant the account access to the application's database: %s", LeastPrivilegeGrant(s.flavor, "", ""))
		}
		return all, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range want {
		w = strings.TrimSpace(w)
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		if !have[w] {
			return nil, rehearse.WithHint(fmt.Errorf("database %q does not exist on the server (or this account has no privilege on it)", w),
				"the databases this account sees are: %s; if %s exists, %s", strings.Join(all, ", "), w, LeastPrivilegeGrant(s.flavor, w, ""))
		}
		out = append(out, w)
	}
	sort.Strings(out)
	return out, nil
}

func (s *session) captureSchema(ctx context.Context, name string, opts CaptureOptions) (Schema, error) {
	sc := Schema{Name: name}
	// SHOW CREATE VIEW qualifies names of the current database's objects
	// only when another database is current: capture from inside the
	// database so views restore into a database of another name.
	if _, err := s.conn.ExecContext(ctx, "USE "+mysqlkit.Quote(name)); err != nil {
		if isAccessDenied(err) {
			return sc, privilegeError(err, "USE "+name, "SELECT", s.flavor, name)
		}
		return sc, fmt.Errorf("read database %s: %w", name, err)
	}
	rs, err := s.rows(ctx, "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name)
	if err != nil {
		return sc, fmt.Errorf("read database %s: %w", name, err)
	}
	if len(rs) == 1 {
		sc.Charset, sc.Collation = rs[0].str("default_character_set_name"), rs[0].str("default_collation_name")
	}
	if sc.Tables, err = s.captureTables(ctx, name); err != nil {
		return sc, err
	}
	if sc.Views, err = s.captureViews(ctx, name); err != nil {
		return sc, err
	}
	if sc.Triggers, err = s.captureTriggers(ctx, name); err != nil {
		return sc, err
	}
	if sc.Routines, err = s.captureRoutines(ctx, name); err != nil {
		return sc, err
	}
	if sc.Events, err = s.captureEvents(ctx, name); err != nil {
		return sc, err
	}
	for i := range sc.Tables {
		t := &sc.Tables[i]
		if opts.ExactCounts {
			n, err := s.countRows(ctx, name, t)
			switch {
			case err == nil:
				t.Stats.ExactRows = &n
			case isLockWait(err):
				s.log("warning: --exact-counts: %s.%s: %s; keeping the estimate", name, t.Name, s.lockWaitNote())
			case isTimeout(err) && countKey(t) == nil:
				s.log("warning: --exact-counts: %s.%s has no primary or unique NOT NULL key to count it by in chunks, and one count exceeds --max-lock-hold (%s); keeping the estimate", name, t.Name, s.budget)
			case isTimeout(err):
				s.log("warning: --exact-counts: %s.%s: even the smallest chunk along its key took longer than --max-lock-hold (%s) (a slow server, or a wait for its metadata lock shorter than lock_wait_timeout); keeping the estimate", name, t.Name, s.budget)
			default:
				return sc, fmt.Errorf("count rows of %s.%s: %w", name, t.Name, err)
			}
		}
		if opts.ColumnStats {
			// A sample the server stops at the budget is taken again,
			// a quarter the size, down to 100 rows.
			for rows := opts.SampleRows; ; rows /= 4 {
				err := s.captureColumnStats(ctx, name, t, rows)
				if err == nil {
					if rows < opts.SampleRows {
						s.log("warning: --column-stats: sampling %s.%s: %d rows exceeded --max-lock-hold (%s); sampled %d", name, t.Name, opts.SampleRows, s.budget, rows)
					}
					break
				}
				if isLockWait(err) {
					s.log("warning: --column-stats: %s.%s: %s; no column statistics for it", name, t.Name, s.lockWaitNote())
					break
				}
				if !isTimeout(err) {
					return sc, fmt.Errorf("--column-stats on %s.%s: %w", name, t.Name, err)
				}
				if rows/4 < 100 {
					s.log("warning: --column-stats: sampling %s.%s exceeded --max-lock-hold (%s) even with %d rows; no column statistics for it", name, t.Name, s.budget, rows)
					break
				}
			}
		}
	}
	return sc, nil
}
