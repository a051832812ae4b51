package history

import "context"

// goose reads goose_db_version: a log of (version_id, is_applied) rows; a
// version is applied when its latest row says so. Version 0 is goose's
// bootstrap row, not a migration.
type goose struct{}

func init() { Register(goose{}) }

func (goose) Runner() string { return "goose" }
func (goose) Table() string  { return "goose_db_version" }

func (goose) Fits(s Shape) bool { return s.Has("id", "version_id", "is_applied", "tstamp") }

func (goose) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "`id`", "version_id", "is_applied", "tstamp")
	if err != nil {
		return nil, err
	}
	latest := map[string]int{} // version -> index in out
	var out []Entry
	for _, r := range rows {
		v := str(r[0])
		if v == "0" {
			continue
		}
		applied := truthy(r[1])
		if i, ok := latest[v]; ok {
			if !applied {
				out = append(out[:i], out[i+1:]...)
				delete(latest, v)
				for k, j := range latest {
					if j > i {
						latest[k] = j - 1
					}
				}
			}
			continue
		}
		if applied {
			latest[v] = len(out)
			out = append(out, Entry{Version: v, AppliedAt: parseTime(r[2])})
		}
	}
	return out, nil
}
