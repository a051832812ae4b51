package history

import "context"

// flyway reads flyway_schema_history. Repeatable migrations (no version)
// are recorded as "R:<description>"; failed ones (success=0) as Failed.
type flyway struct{}

func init() { Register(flyway{}) }

func (flyway) Runner() string { return "flyway" }
func (flyway) Table() string  { return "flyway_schema_history" }

func (flyway) Fits(s Shape) bool {
	return s.Has("installed_rank", "version", "description", "type", "script", "checksum", "success")
}

func (flyway) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "`installed_rank`",
		"version", "description", "type", "checksum", "installed_on", "success")
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range rows {
		if str(r[2]) == "SCHEMA" { // "<< Flyway Schema Creation >>" marker
			continue
		}
		v := str(r[0])
		if !r[0].Valid {
			v = "R:" + str(r[1])
		}
		out = append(out, Entry{Version: v, Name: str(r[1]), Checksum: str(r[3]),
			AppliedAt: parseTime(r[4]), Failed: !truthy(r[5])})
	}
	return out, nil
}
