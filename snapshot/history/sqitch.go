package history

import "context"

// sqitch reads Sqitch's registry: the changes table of the registry
// database (sqitch by default; --databases must include it). One row per
// deployed change (a revert deletes it); Name is the project, Checksum the
// deploy script's SHA-1 (script_hash).
type sqitch struct{}

func init() { Register(sqitch{}) }

func (sqitch) Runner() string { return "sqitch" }
func (sqitch) Table() string  { return "changes" }

func (sqitch) Fits(s Shape) bool {
	return s.Has("change_id", "script_hash", "change", "project", "committed_at", "planned_at") && s.Others["projects"]
}

func (sqitch) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "`committed_at`, `change_id`",
		"change", "project", "script_hash", "committed_at")
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range rows {
		out = append(out, Entry{Version: str(r[0]), Name: str(r[1]), Checksum: str(r[2]), AppliedAt: parseTime(r[3])})
	}
	return out, nil
}

// Registry reports whether runner keeps its history in a database of its
// own (Sqitch's registry), not in the database it migrates.
func Registry(runner string) bool { return runner == "sqitch" }
