package history

import (
	"context"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// dbmate reads dbmate's schema_migrations: one varchar(128) version per
// applied migration. Rails' table has the same single column; dbmate's is
// varchar(128) and has no ar_internal_metadata beside it.
type dbmate struct{}

func init() { Register(dbmate{}) }

func (dbmate) Runner() string { return "dbmate" }
func (dbmate) Table() string  { return "schema_migrations" }

func (dbmate) Fits(s Shape) bool {
	c := s.Col("version")
	return len(s.Columns) == 1 && isText(c) && !s.Others["ar_internal_metadata"] &&
		strings.EqualFold(c.Type, "varchar(128)")
}

func (dbmate) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	return versionsOnly(ctx, q, schema, table, "version")
}

// versionsOnly reads a one-column table of applied versions, ordered.
func versionsOnly(ctx context.Context, q Querier, schema, table, col string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, mysqlkit.Quote(col), col)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(rows))
	for _, r := range rows {
		out = append(out, Entry{Version: str(r[0])})
	}
	return out, nil
}
