package history

import "context"

// liquibase reads DATABASECHANGELOG. A change set is identified by id,
// author and file; Version is the id, Name "file::author".
type liquibase struct{}

func init() { Register(liquibase{}) }

func (liquibase) Runner() string { return "liquibase" }
func (liquibase) Table() string  { return "DATABASECHANGELOG" }

func (liquibase) Fits(s Shape) bool {
	return s.Has("ID", "AUTHOR", "FILENAME", "DATEEXECUTED", "ORDEREXECUTED", "EXECTYPE", "MD5SUM")
}

func (liquibase) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "`ORDEREXECUTED`",
		"ID", "AUTHOR", "FILENAME", "DATEEXECUTED", "EXECTYPE", "MD5SUM")
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range rows {
		out = append(out, Entry{Version: str(r[0]), Name: str(r[2]) + "::" + str(r[1]),
			AppliedAt: parseTime(r[3]), Failed: str(r[4]) == "FAILED", Checksum: str(r[5])})
	}
	return out, nil
}
