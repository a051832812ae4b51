package run

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/replica"
	"github.com/rehearse/rehearse/snapshot"
)

// Check refuses, before any server starts, what would make the rehearsal
// fail half-way or measure something other than what was asked: a Scale
// that is negative, NaN or infinite (0 means 1, production's row counts);
// an injection naming a table the rehearsed database lacks, or a migration
// version not in the migration set; a load profile naming tables or
// columns the snapshot lacks (CheckLoadProfile). Run calls it first.
func (o Options) Check() error {
	if o.Snapshot == nil {
		return nil
	}
	if math.IsNaN(o.Scale) || math.IsInf(o.Scale, 0) || o.Scale < 0 {
		return rehearse.WithHint(fmt.Errorf("scale %g: not a positive number", o.Scale), "give the fraction of production's row counts to generate, e.g. 0.1")
	}
	schema, err := targetSchema(o.Snapshot, o.Database)
	if err != nil {
		return err
	}
	if err := o.Strategy.Check(); err != nil {
		return err
	}
	if o.Replicas.Galera > 0 && o.Engine != nil {
		flavor := o.EngineOptions.Flavor
		if flavor == "" && o.EngineOptions.Image == "" {
			flavor = engine.Flavor(o.Snapshot.Source.Flavor)
		}
		if err := replica.GaleraEngine(o.Engine, flavor); err != nil {
			return fmt.Errorf("--galera %d: %w", o.Replicas.Galera, err)
		}
	}
	if o.MigrateCommand != nil && o.Strategy.active() {
		return rehearse.WithHint(fmt.Errorf("--strategy and --migrate-cmd: the command applies the release itself"), "rehearse a strategy with the migration files")
	}
	for k := range o.Strategy.For {
		v, _, _ := strings.Cut(k, "#")
		if o.Migrations != nil && !o.hasVersion(v) {
			return rehearse.WithHint(fmt.Errorf("--strategy-for %s: migration %q is not in %s", k, v, o.MigrationsDir), "name a version of the release's migrations (rehearse plan lists them)")
		}
	}
	for _, in := range o.Injections {
		if in.Kind == "long-txn" && o.Snapshot.Table(schema, in.Table) == nil {
			return rehearse.WithHint(fmt.Errorf("--inject %s: table %q is not in database %s of the snapshot", in.Spec, in.Table, schema),
				"name one of its tables: %s", tableNames(o.Snapshot, schema))
		}
		if in.Version != "" && o.Migrations != nil && !o.hasVersion(in.Version) {
			return rehearse.WithHint(fmt.Errorf("--inject %s: migration %q is not in %s", in.Spec, in.Version, o.MigrationsDir),
				"name a version of the release's migrations (rehearse plan lists them)")
		}
	}
	return o.checkLoadProfile(schema)
}

func (o Options) hasVersion(v string) bool {
	for _, m := range o.Migrations.Migrations {
		if m.Version == v || m.Key == v {
			return true
		}
	}
	return false
}

// tableNames lists a database's tables for a hint (the first 10).
func tableNames(snap *snapshot.Snapshot, schema string) string {
	var names []string
	for _, sc := range snap.Schemas {
		if sc.Name != schema {
			continue
		}
		for _, t := range sc.Tables {
			names = append(names, t.Name)
		}
	}
	sort.Strings(names)
	if len(names) > 10 {
		names = append(names[:10], "...")
	}
	return strings.Join(names, ", ")
}
