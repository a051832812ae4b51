package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

// Every runner the design names is registered.
func TestRegistry(t *testing.T) {
	for _, r := range []string{"golang-migrate", "goose", "flyway", "liquibase", "dbmate", "sql-migrate", "sequelize", "rails",
		"laravel", "django", "knex", "alembic", "atlas", "morph"} {
		if _, ok := history.Lookup(r); !ok {
			t.Errorf("runner %s not registered", r)
		}
	}
}

// A user-named table (--history-table) is attributed by shape alone.
func TestDetectByShapeRenamedTable(t *testing.T) {
	sh := history.Shape{Table: "migrate_versions", Columns: []history.Column{{Name: "version", DataType: "bigint", Type: "bigint"}, {Name: "dirty", DataType: "tinyint", Type: "tinyint(1)"}}}
	if _, ok := history.Detect(sh); ok {
		t.Errorf("Detect claimed a table by shape alone")
	}
	r, ok := history.DetectByShape(sh)
	if !ok || r.Runner() != "golang-migrate" {
		t.Errorf("DetectByShape = %v, %v; want golang-migrate", r, ok)
	}
}
