package history

import (
	"context"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// Custom reads an in-house runner's history table, named by the user with
// the column that holds the version (rehearse snapshot --history-table T
// --history-version-column C). Rows are read in primary-key order (OrderBy)
// and the last row's version is the runner's current one: every migration
// up to it counts as applied (Cumulative), as Authelia's runner records it
// (version_after of each up and down). Not registered: it needs its column.
type Custom struct {
	Column  string
	OrderBy []string // the table's primary key; none: the version column
}

// CustomRunner is the runner name Custom's histories carry.
const CustomRunner = "custom"

func (Custom) Runner() string { return CustomRunner }
func (Custom) Table() string  { return "" }

// Fits: any table with the column.
func (c Custom) Fits(s Shape) bool { return s.Col(c.Column) != nil }

func (c Custom) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	order := mysqlkit.Quote(c.Column)
	if len(c.OrderBy) > 0 {
		qs := make([]string, len(c.OrderBy))
		for i, o := range c.OrderBy {
			qs[i] = mysqlkit.Quote(o)
		}
		order = strings.Join(qs, ", ")
	}
	rows, err := readTable(ctx, q, schema, table, order, c.Column)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(rows))
	for _, r := range rows {
		if r[0].Valid {
			out = append(out, Entry{Version: r[0].String})
		}
	}
	return out, nil
}

// Cumulative reports whether runner's history records one current version
// (its last entry) with every migration up to it applied, rather than one
// entry per applied migration: golang-migrate's single row, an in-house
// runner's version column.
func Cumulative(runner string) bool {
	return runner == "golang-migrate" || runner == CustomRunner
}
