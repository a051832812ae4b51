package restore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/guard"
	"github.com/rehearse/rehearse/rehearse/scope"
	"github.com/rehearse/rehearse/snapshot"
)

// startupSettings are the snapshot settings a sandbox starts with: the ones
// that change what DDL does or how long it waits and that a server accepts
// on its command line. Left out on purpose: innodb_buffer_pool_size (a
// production pool would not fit a sandbox; the rehearsal scales data
// instead), lower_case_table_names and innodb_page_size (fixed when a
// datadir is created), foreign_key_checks (not a start-up option).
var startupSettings = map[string]string{ // name -> flavor it belongs to ("" = both)
	"sql_mode":                            "",
	"lock_wait_timeout":                   "",
	"innodb_lock_wait_timeout":            "",
	"innodb_online_alter_log_max_size":    "",
	"alter_algorithm":                     "mariadb",
	"old_alter_table":                     "mariadb",
	"innodb_instant_alter_column_allowed": "mariadb",
	"max_statement_time":                  "mariadb",
	"character_set_server":                "",
	"collation_server":                    "",
	"innodb_default_row_format":           "",
	"transaction_isolation":               "",
	"max_allowed_packet":                  "",
	"explicit_defaults_for_timestamp":     "",
	"innodb_strict_mode":                  "",
	"innodb_file_per_table":               "",
	"innodb_autoinc_lock_mode":            "",
	"default_storage_engine":              "",
	"innodb_sort_buffer_size":             "",
	"innodb_ddl_buffer_size":              "mysql",
	"innodb_ddl_threads":                  "mysql",
	"innodb_parallel_read_threads":        "mysql",
	"sql_require_primary_key":             "mysql",
	"max_execution_time":                  "mysql",
	"tmp_table_size":                      "",
	"max_heap_table_size":                 "",
}

// ServerSettings returns the snapshot's settings a sandbox of flavor should
// start with (engine.Options.Settings).
func ServerSettings(snap *snapshot.Snapshot, flavor engine.Flavor) map[string]string {
	out := map[string]string{}
	for k, v := range snap.Settings {
		f, ok := startupSettings[k]
		if !ok || (f != "" && f != string(flavor)) {
			continue
		}
		out[k] = v
	}
	return out
}

// StartOptions fills base for a sandbox matching snap: its flavor and
// version (unless base names them; the exact patch version as the one
// engines prefer, Exact), its settings (base.Settings, e.g. the
// user's --set, win), and the production guard: a dsn target whose identity
// equals the snapshot's source is refused.
func StartOptions(snap *snapshot.Snapshot, base engine.Options) engine.Options {
	o := base
	if o.Flavor == "" && o.Image == "" {
		o.Flavor = engine.Flavor(snap.Source.Flavor)
	}
	if o.Version == "" && o.Image == "" {
		o.Version = engine.ShortVersion(snap.Source.Version)
		// Any patch version of production's major.minor serves; the
		// engines prefer production's own (engine.Options.Exact).
		if o.Exact == "" && engine.Flavor(snap.Source.Flavor) == o.Flavor {
			o.Exact = engine.CleanVersion(snap.Source.Version)
		}
	}
	settings := ServerSettings(snap, o.Flavor)
	if o.Flavor == engine.MariaDB && majorAtLeast(o.Version, 11) {
		// MariaDB 11 no longer knows old_alter_table (alter_algorithm,
		// also captured, says the same): a 10.x snapshot rehearsed on 11.x
		// must not pass it.
		delete(settings, "old_alter_table")
	}
	for k, v := range base.Settings {
		settings[k] = v
	}
	o.Settings = settings
	if o.Guard == nil {
		src := snap.Source
		o.Guard = func(ctx context.Context, db *sql.DB) error { return guard.Check(ctx, db, src) }
	}
	return o
}

// Sandbox starts a server with eng for snap (StartOptions) and restores the
// snapshot into it. On the dsn engine, whose work happens in one scratch
// database, a one-database snapshot is restored into that scratch database.
// On error the server is stopped and nothing is left behind.
func Sandbox(ctx context.Context, eng engine.Engine, base engine.Options, snap *snapshot.Snapshot, opts Options) (*engine.Server, error) {
	srv, err := StartFor(ctx, eng, base, snap)
	if err != nil {
		return nil, err
	}
	if err := Into(ctx, srv, snap, opts); err != nil {
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = srv.Stop(sctx)
		return nil, err
	}
	return srv, nil
}

// StartFor starts a server with eng matching snap (StartOptions), without
// restoring anything: the first half of Sandbox, for callers that time the
// two steps apart (the rehearsal).
func StartFor(ctx context.Context, eng engine.Engine, base engine.Options, snap *snapshot.Snapshot) (*engine.Server, error) {
	so := StartOptions(snap, base)
	if eng.Name() == "dsn" && so.Flavor == engine.MariaDB {
		// The dsn engine applies settings with SET SESSION, where MariaDB
		// before 11.1 knows transaction_isolation only as tx_isolation.
		if v, ok := so.Settings["transaction_isolation"]; ok {
			delete(so.Settings, "transaction_isolation")
			if _, user := base.Settings["transaction_isolation"]; !user {
				so.Settings["tx_isolation"] = v
			}
		}
	}
	if eng.Name() == "dsn" {
		// The dsn engine works on a shared server: every object of the
		// snapshot must stay in the scratch database, checked before the
		// server is touched.
		if so.Database == "" {
			so.Database = engine.ScratchName()
		}
		if _, err := scope.ForSnapshot(so.Database, snap).Snapshot(snap); err != nil {
			return nil, rehearse.WithHint(err, "%s", scope.Hint)
		}
	}
	srv, err := eng.Start(ctx, so)
	if err == nil {
		if d := VersionDrift(snap, srv); d != "" && so.Log != nil {
			fmt.Fprintf(so.Log, "rehearse: %s\n", d)
		}
	}
	return srv, err
}

// VersionDrift says how srv's server differs from the snapshot's source:
// "" when it is production's exact version, else which versions and that
// they differ (another patch version: fixed bugs and changed defaults can
// make a statement behave otherwise). Reports and stderr carry it.
func VersionDrift(snap *snapshot.Snapshot, srv *engine.Server) string {
	want, got := engine.CleanVersion(snap.Source.Version), engine.CleanVersion(srv.Version)
	if want == "" || got == "" || (want == got && string(srv.Flavor) == snap.Source.Flavor) {
		return ""
	}
	kind := "another patch version"
	if engine.ShortVersion(want) != engine.ShortVersion(got) || string(srv.Flavor) != snap.Source.Flavor {
		kind = "another version"
	}
	return fmt.Sprintf("production runs %s %s; this %s server runs %s %s, %s: what changed between them can change what a statement does",
		snap.Source.Flavor, want, srv.Engine, srv.Flavor, got, kind)
}

// Into restores snap into a server StartFor started: the second half of
// Sandbox. On the dsn engine, whose work happens in one scratch database, a
// one-database snapshot is restored into that scratch database. It does not
// stop srv on error.
func Into(ctx context.Context, srv *engine.Server, snap *snapshot.Snapshot, opts Options) error {
	if srv.Database != "" {
		if len(snap.Schemas) != 1 {
			return rehearse.WithHint(fmt.Errorf("restore: the %s engine works in one scratch database, and the snapshot has %d databases", srv.Engine, len(snap.Schemas)),
				"take the snapshot with --databases NAME (one database), or use --engine local or docker")
		}
		opts.Databases = Databases(srv, snap)
		// A shared server: the objects' bodies name the scratch database
		// instead of the snapshot's (scope), or the restore is refused.
		if err := snap.Validate("snapshot"); err != nil {
			return err
		}
		confined, err := scope.ForSnapshot(srv.Database, snap).Snapshot(snap)
		if err != nil {
			return rehearse.WithHint(err, "%s", scope.Hint)
		}
		snap, opts.confined = confined, true
	}
	db, err := srv.Open("")
	if err != nil {
		return err
	}
	defer db.Close()
	return Apply(ctx, db, snap, opts)
}

// majorAtLeast reports whether a "major.minor[.patch]" version's major is at
// least n ("" is not).
func majorAtLeast(version string, n int) bool {
	major, _, _ := strings.Cut(version, ".")
	v, err := strconv.Atoi(major)
	return err == nil && v >= n
}
