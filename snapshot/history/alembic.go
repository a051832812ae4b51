package history

import "context"

// alembic reads alembic_version: the current head revision(s) only; Alembic
// keeps no log of earlier revisions.
type alembic struct{}

func init() { Register(alembic{}) }

func (alembic) Runner() string { return "alembic" }
func (alembic) Table() string  { return "alembic_version" }

func (alembic) Fits(s Shape) bool { return len(s.Columns) == 1 && isText(s.Col("version_num")) }

func (alembic) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	return versionsOnly(ctx, q, schema, table, "version_num")
}
