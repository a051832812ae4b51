package main

import (
	"errors"
	"strings"

	"github.com/spf13/pflag"

	"github.com/rehearse/rehearse/rehearse/migrations"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
)

// inputFlags say what a command reads: rehearse.yaml, production's
// snapshot, the release's migrations (folder, format, in-house file names),
// the database they run in and whether the release is the runner's first.
// plan, run, capacity, load-profile, compare and reproduce register them
// with addInputFlags (diff, sandbox and generate share the help of the ones
// they take), so each flag has one name and one meaning everywhere.
type inputFlags struct {
	Config        string
	Snapshot      string
	Migrations    string
	MigFormat     string
	MigPattern    string
	Database      string
	FirstAdoption bool
	// --target-schema (plan, run): a declarative schema instead of migrations.
	TargetSchema     string
	AllowDestructive bool
}

// inputUsage says which of the input flags a command takes besides the
// common ones.
type inputUsage struct {
	noFirstAdoption bool // the command has no --first-adoption
	schemaAlias     bool // plan: --schema, the old name of --database
	targetSchema    bool // plan, run: --target-schema and --allow-destructive
}

// addInputFlags registers the input flags on fs.
func addInputFlags(fs *pflag.FlagSet, in *inputFlags, u inputUsage) {
	fs.StringVar(&in.Config, "config", "", configUsage)
	fs.StringVar(&in.Snapshot, "snapshot", "", snapshotUsage)
	fs.StringVar(&in.Migrations, "migrations", "", "the release's migrations folder")
	fs.StringVar(&in.MigFormat, "migrations-format", "", migrationsFormatUsage)
	fs.StringVar(&in.MigPattern, "migrations-pattern", "", migrationsPatternUsage)
	fs.StringVar(&in.Database, "database", "", "the database the migrations run in (default: the one with the migration history)")
	if u.schemaAlias { // plan called it --schema: kept, hidden, for the scripts that use it
		fs.StringVar(&in.Database, "schema", "", "old name of --database")
		_ = fs.MarkHidden("schema")
	}
	if !u.noFirstAdoption {
		fs.BoolVar(&in.FirstAdoption, "first-adoption", false, firstAdoptionUsage)
	}
	if u.targetSchema {
		fs.StringVar(&in.TargetSchema, "target-schema", "", "a declarative schema instead of migrations: the desired state as a .sql `FILE` or a folder of CREATE statements (Skeema, Atlas schema apply); the ALTERs from production's schema to it are computed by Atlas's differ")
		fs.BoolVar(&in.AllowDestructive, "allow-destructive", false, "with --target-schema: allow the computed changes to drop tables and columns (their data is lost)")
	}
}

// fromConfig fills the input flags not given from rehearse.yaml (its
// paths are relative to it), then checks that they name a snapshot and
// migrations or a --target-schema: plan, run and the commands built on run
// read their inputs the same way.
func (in *inputFlags) fromConfig(cfg *rehearsal.Config, changed func(string) bool) error {
	if cfg != nil {
		pick := func(flag string, v *string, fromCfg string, path bool) {
			if changed(flag) || fromCfg == "" {
				return
			}
			if path {
				fromCfg = cfg.Path(fromCfg)
			}
			*v = fromCfg
		}
		pick("snapshot", &in.Snapshot, cfg.Snapshot, true)
		pick("migrations", &in.Migrations, cfg.Migrations, true)
		pick("migrations-format", &in.MigFormat, cfg.Format, false)
		pick("migrations-pattern", &in.MigPattern, cfg.MigrationsPattern, false)
		if !changed("first-adoption") && cfg.History.FirstAdoption {
			in.FirstAdoption = true
		}
	}
	if in.TargetSchema != "" && in.Migrations != "" && changed("migrations") {
		return usageError{errors.New("give --migrations or --target-schema, not both")}
	}
	if in.TargetSchema != "" {
		in.Migrations = "" // rehearse.yaml's migrations: the target schema replaces them
	}
	if in.Snapshot == "" || (in.Migrations == "" && in.TargetSchema == "") {
		return usageError{errors.New("--snapshot FILE and --migrations DIR (or --target-schema) are required, or a rehearse.yaml that names them")}
	}
	return nil
}

// snapshotUsage is --snapshot's help, for every command that reads
// production's snapshot (sandbox and generate too).
const snapshotUsage = "production's snapshot (rehearse snapshot -o FILE)"

// migrationsFormatUsage and migrationsPatternUsage are the help of
// --migrations-format and --migrations-pattern, for every command that
// reads a migrations folder (diff too).
var migrationsFormatUsage = "migration format (" + strings.Join(migrations.Formats(), ", ") + "); default: detected"

const migrationsPatternUsage = "an in-house runner's file names, e.g. 'V{version}.{name}.{direction}.sql' ({version}, {name}, {direction} = up|down, optional {dialect}; docs/migrations.md)"
