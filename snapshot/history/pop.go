package history

import "context"

// pop reads gobuffalo/pop's and Ory popx's schema_migration: one version
// per applied migration (varchar(14) in pop, varchar(48) in popx, which
// adds version_self for its own bookkeeping).
type pop struct{}

func init() { Register(pop{}) }

func (pop) Runner() string { return "pop" }
func (pop) Table() string  { return "schema_migration" }

func (pop) Fits(s Shape) bool {
	if !isText(s.Col("version")) {
		return false
	}
	return len(s.Columns) == 1 || (len(s.Columns) == 2 && s.Col("version_self") != nil)
}

func (pop) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	return versionsOnly(ctx, q, schema, table, "version")
}
