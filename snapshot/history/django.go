package history

import "context"

// django reads django_migrations: (app, name, applied). Version is
// "app.name", the pair Django identifies a migration by.
type django struct{}

func init() { Register(django{}) }

func (django) Runner() string { return "django" }
func (django) Table() string  { return "django_migrations" }

func (django) Fits(s Shape) bool { return s.Has("id", "app", "name", "applied") }

func (django) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "`id`", "app", "name", "applied")
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range rows {
		out = append(out, Entry{Version: str(r[0]) + "." + str(r[1]), Name: str(r[1]), AppliedAt: parseTime(r[2])})
	}
	return out, nil
}
