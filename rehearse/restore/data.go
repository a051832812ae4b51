package restore

import (
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/snapshot"
)

// What a restored server is filled with afterwards (datagen.Generate),
// shared by the rehearsal and `rehearse sandbox --scale` so both put the
// same rows in the same places.

// DataTables lists snap's tables that hold application rows, as
// "schema.table": every table except the migration history tables, which
// Apply fills with the snapshot's own history rows. It is what
// datagen.Options.Tables takes after a restore, so synthetic rows never
// land in a history table (which would then no longer say what is applied).
func DataTables(snap *snapshot.Snapshot) []string {
	history := map[string]bool{}
	for _, h := range snap.History {
		history[h.Schema+"."+h.Table] = true
	}
	var out []string
	for _, s := range snap.Schemas {
		for _, t := range s.Tables {
			if !history[s.Name+"."+t.Name] {
				out = append(out, s.Name+"."+t.Name)
			}
		}
	}
	return out
}

// Databases maps snap's database names to the ones Into restores them into
// on srv: on an engine that works in one scratch database (dsn), snap's one
// database goes there; nil when the names are kept. It is what
// datagen.Options.Schemas takes after Into.
func Databases(srv *engine.Server, snap *snapshot.Snapshot) map[string]string {
	if srv == nil || srv.Database == "" || len(snap.Schemas) != 1 {
		return nil
	}
	return map[string]string{snap.Schemas[0].Name: srv.Database}
}
