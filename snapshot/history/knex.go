package history

import (
	"context"
	"fmt"
)

// knex reads knex_migrations: migration file name, batch and time.
type knex struct{}

func init() { Register(knex{}) }

func (knex) Runner() string { return "knex" }
func (knex) Table() string  { return "knex_migrations" }

func (knex) Fits(s Shape) bool { return s.Has("id", "name", "batch", "migration_time") }

func (knex) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "`id`", "name", "batch", "migration_time")
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range rows {
		out = append(out, Entry{Version: str(r[0]), Name: fmt.Sprintf("batch %s", str(r[1])), AppliedAt: parseTime(r[2])})
	}
	return out, nil
}
