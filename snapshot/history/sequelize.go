package history

import "context"

// sequelize reads SequelizeMeta: one row per applied migration file name.
type sequelize struct{}

func init() { Register(sequelize{}) }

func (sequelize) Runner() string { return "sequelize" }
func (sequelize) Table() string  { return "SequelizeMeta" }

func (sequelize) Fits(s Shape) bool { return len(s.Columns) == 1 && isText(s.Col("name")) }

func (sequelize) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	return versionsOnly(ctx, q, schema, table, "name")
}
