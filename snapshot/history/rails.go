package history

import (
	"context"
	"strings"
)

// rails reads Rails' (ActiveRecord's) schema_migrations: one varchar
// version per applied migration, with ar_internal_metadata beside it.
type rails struct{}

func init() { Register(rails{}) }

func (rails) Runner() string { return "rails" }
func (rails) Table() string  { return "schema_migrations" }

func (rails) Fits(s Shape) bool {
	c := s.Col("version")
	if len(s.Columns) != 1 || !isText(c) {
		return false
	}
	return s.Others["ar_internal_metadata"] || !strings.EqualFold(c.Type, "varchar(128)")
}

func (rails) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	return versionsOnly(ctx, q, schema, table, "version")
}
