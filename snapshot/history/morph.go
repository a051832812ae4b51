package history

import "context"

// morph reads Mattermost's morph db_migrations: (Version, Name).
type morph struct{}

func init() { Register(morph{}) }

func (morph) Runner() string { return "morph" }
func (morph) Table() string  { return "db_migrations" }

func (morph) Fits(s Shape) bool {
	return len(s.Columns) == 2 && isInt(s.Col("Version")) && isText(s.Col("Name"))
}

func (morph) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "`Version`", "Version", "Name")
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range rows {
		out = append(out, Entry{Version: str(r[0]), Name: str(r[1])})
	}
	return out, nil
}
