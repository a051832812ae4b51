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
// with addInputFlags, so each flag has one name and one meaning everywhere.
type inputFlags struct {
	Config        string
	Snapshot      string
	Migrations    string
	MigFormat     string
	MigPattern    string
	Database      string
	FirstAdoption bool
}

// inputUsage words the flags that read differently on one command; an
// empty field keeps the common text.
type inputUsage struct {
	snapshot, migrations string
	noFirstAdoption      bool // the command has no --first-adoption
	schemaAlias          bool // plan: --schema, the old name of --database
}

// addInputFlags registers the input flags on fs.
func addInputFlags(fs *pflag.FlagSet, in *inputFlags, u inputUsage) {
	if u.snapshot == "" {
		u.snapshot = "production's snapshot (rehearse snapshot -o FILE)"
	}
	if u.migrations == "" {
		u.migrations = "the release's migrations folder"
	}
	fs.StringVar(&in.Config, "config", "", configUsage)
	fs.StringVar(&in.Snapshot, "snapshot", "", u.snapshot)
	fs.StringVar(&in.Migrations, "migrations", "", u.migrations)
	fs.StringVar(&in.MigFormat, "migrations-format", "", "migration format ("+strings.Join(migrations.Formats(), ", ")+"); default: detected")
	fs.StringVar(&in.MigPattern, "migrations-pattern", "", migrationsPatternUsage)
	fs.StringVar(&in.Database, "database", "", "the database the migrations run in (default: the one with the migration history)")
	if u.schemaAlias { // plan called it --schema: kept, hidden, for the scripts that use it
		fs.StringVar(&in.Database, "schema", "", "old name of --database")
		_ = fs.MarkHidden("schema")
	}
	if !u.noFirstAdoption {
		fs.BoolVar(&in.FirstAdoption, "first-adoption", false, firstAdoptionUsage)
	}
}
