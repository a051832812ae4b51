package history

import "context"

// sqlMigrate reads sql-migrate's gorp_migrations: the migration file name
// and when it was applied.
type sqlMigrate struct{}

func init() { Register(sqlMigrate{}) }

func (sqlMigrate) Runner() string { return "sql-migrate" }
func (sqlMigrate) Table() string  { return "gorp_migrations" }

func (sqlMigrate) Fits(s Shape) bool {
	return len(s.Columns) == 2 && isText(s.Col("id")) && s.Col("applied_at") != nil
}

func (sqlMigrate) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "`applied_at`, `id`", "id", "applied_at")
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range rows {
		out = append(out, Entry{Version: str(r[0]), AppliedAt: parseTime(r[1])})
	}
	return out, nil
}
