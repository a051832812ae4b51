package history

import (
	"context"
	"fmt"
)

// laravel reads Laravel's migrations table: migration file name and batch.
type laravel struct{}

func init() { Register(laravel{}) }

func (laravel) Runner() string { return "laravel" }
func (laravel) Table() string  { return "migrations" }

func (laravel) Fits(s Shape) bool {
	return len(s.Columns) == 3 && s.Has("id", "migration", "batch")
}

func (laravel) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "`id`", "migration", "batch")
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range rows {
		out = append(out, Entry{Version: str(r[0]), Name: fmt.Sprintf("batch %s", str(r[1]))})
	}
	return out, nil
}
