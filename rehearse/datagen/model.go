package datagen

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/snapshot"
)

// Model is the plan Generate fills a snapshot's tables from: per table its
// row count and how each column is made. Row i of a table is a pure function
// of the model, so a Model can recompute any generated row and make rows
// past them (RowSource). A Model is read-only and safe for concurrent use.
type Model struct {
	plans []*tablePlan
	notes []string
}

// NewModel plans the snapshot's tables as Generate does with the same
// snapshot and options, without writing anything: the same row counts and
// the same rows. db is read only for foreign keys whose parent table is not
// among Options.Tables (their existing keys, as Generate reads them); it
// may be nil, and such foreign keys are then not modelled (a note says so).
// Options that only say how rows get in (Parallel, Truncate, Insert,
// IndexStrategy, KeepTriggers, Progress) do not matter.
func NewModel(ctx context.Context, db *sql.DB, snap *snapshot.Snapshot, o Options) (*Model, error) {
	if snap == nil {
		return nil, fmt.Errorf("datagen: no snapshot")
	}
	if o.Scale < 0 {
		return nil, rehearse.WithHint(fmt.Errorf("datagen: scale %g is negative", o.Scale), "use a scale such as 0.1 or 1")
	}
	plans, notes, err := buildPlans(ctx, db, snap, &o)
	if err != nil {
		return nil, err
	}
	return &Model{plans: plans, notes: notes}, nil
}

// Notes are what planning had to say (defaults used, constraints that
// cannot all be met), as Result.Notes.
func (m *Model) Notes() []string { return m.notes }

// Rows is the number of rows the model generates for a table: the first
// row index of a RowSource's new rows. schema is the server database
// (Options.Schemas) or the snapshot's schema name. A table loaded with
// IGNORE (a CHECK or unique key not modelled) may hold fewer on the server.
func (m *Model) Rows(schema, table string) (uint64, bool) {
	p := m.plan(schema, table)
	if p == nil {
		return 0, false
	}
	return p.rows, true
}

// plan finds a table by server database, then by snapshot schema; exact
// names first, then case-insensitively.
func (m *Model) plan(schema, table string) *tablePlan {
	if m == nil {
		return nil
	}
	for _, fold := range []bool{false, true} {
		eq := func(a, b string) bool { return a == b || fold && strings.EqualFold(a, b) }
		for _, p := range m.plans {
			if eq(p.name, table) && eq(p.db, schema) {
				return p
			}
		}
		for _, p := range m.plans {
			if eq(p.name, table) && eq(p.schema, schema) {
				return p
			}
		}
	}
	return nil
}

// ErrNoTable is returned by RowSource for a table the model does not plan.
var ErrNoTable = fmt.Errorf("datagen: table not in the model")
