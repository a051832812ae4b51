package main

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/rehearse/rehearse/rehearse/migrations"
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

// snapshotUsage is --snapshot's help, for every command that reads
// production's snapshot (sandbox and generate too).
const snapshotUsage = "production's snapshot (rehearse snapshot -o FILE)"

// migrationsFormatUsage and migrationsPatternUsage are the help of
// --migrations-format and --migrations-pattern, for every command that
// reads a migrations folder (diff too).
var migrationsFormatUsage = "migration format (" + strings.Join(migrations.Formats(), ", ") + "); default: detected"

const migrationsPatternUsage = "an in-house runner's file names, e.g. 'V{version}.{name}.{direction}.sql' ({version}, {name}, {direction} = up|down, optional {dialect}; docs/migrations.md)"
