package history

import (
	"context"
	"strconv"
)

// atlas reads atlas_schema_revisions. A revision whose applied statement
// count is below its total is partial (Dirty); one with an error is Failed.
// Atlas' own bookkeeping row (version ".atlas_cloud_identifier") is skipped.
type atlas struct{}

func init() { Register(atlas{}) }

func (atlas) Runner() string { return "atlas" }
func (atlas) Table() string  { return "atlas_schema_revisions" }

func (atlas) Fits(s Shape) bool {
	return s.Has("version", "description", "type", "applied", "total", "executed_at", "hash")
}

func (atlas) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "`version`",
		"version", "description", "applied", "total", "executed_at", "error", "hash")
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range rows {
		v := str(r[0])
		if v == "" || v[0] == '.' {
			continue
		}
		applied, _ := strconv.Atoi(str(r[2]))
		total, _ := strconv.Atoi(str(r[3]))
		out = append(out, Entry{Version: v, Name: str(r[1]), AppliedAt: parseTime(r[4]),
			Dirty: applied < total, Failed: str(r[5]) != "", Checksum: str(r[6])})
	}
	return out, nil
}
