package restore_test

import (
	"reflect"
	"testing"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

// TestDataTablesAndDatabases: the history tables (filled by the restore)
// are not data tables, a same-named table of another database is; a
// scratch database receives a one-database snapshot.
func TestDataTablesAndDatabases(t *testing.T) {
	snap := &snapshot.Snapshot{
		Schemas: []snapshot.Schema{
			{Name: "app", Tables: []snapshot.Table{{Name: "users"}, {Name: "schema_migrations"}}},
			{Name: "audit", Tables: []snapshot.Table{{Name: "schema_migrations"}}},
		},
		History: []snapshot.History{{Runner: "golang-migrate", Schema: "app", Table: "schema_migrations"}},
	}
	if got, want := restore.DataTables(snap), []string{"app.users", "audit.schema_migrations"}; !reflect.DeepEqual(got, want) {
		t.Errorf("DataTables = %v, want %v", got, want)
	}
	if m := restore.Databases(&engine.Server{Database: "rehearse_1"}, snap); m != nil {
		t.Errorf("two databases into one scratch database: %v", m)
	}
	one := &snapshot.Snapshot{Schemas: snap.Schemas[:1]}
	if m := restore.Databases(&engine.Server{Database: "rehearse_1"}, one); !reflect.DeepEqual(m, map[string]string{"app": "rehearse_1"}) {
		t.Errorf("scratch database: %v", m)
	}
	if m := restore.Databases(&engine.Server{}, one); m != nil {
		t.Errorf("a whole server keeps the names: %v", m)
	}
}
