package history

import "context"

// golangMigrate reads golang-migrate's schema_migrations: one row holding
// the current version and a dirty flag (set while a migration ran and never
// finished).
type golangMigrate struct{}

func init() { Register(golangMigrate{}) }

func (golangMigrate) Runner() string { return "golang-migrate" }
func (golangMigrate) Table() string  { return "schema_migrations" }

func (golangMigrate) Fits(s Shape) bool {
	return len(s.Columns) == 2 && isInt(s.Col("version")) && s.Col("dirty") != nil
}

func (golangMigrate) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "", "version", "dirty")
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range rows {
		out = append(out, Entry{Version: str(r[0]), Dirty: truthy(r[1])})
	}
	return out, nil
}
