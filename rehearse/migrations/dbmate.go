package migrations

import (
	"regexp"
	"strings"
)

// dbmate reads amacneil/dbmate migrations: VERSION_name.sql with
// "-- migrate:up" and "-- migrate:down" sections (option
// "transaction:false"). The version is the digits before the first '_',
// kept as text: dbmate orders by file name and records the text.
type dbmate struct{}

func init() { Register(dbmate{}) }

var (
	dbmateName   = regexp.MustCompile(`^([0-9]+)_?(.*)\.sql$`)
	dbmateMarker = regexp.MustCompile(`(?im)^\s*--\s*migrate:up\b`)
	dbmateLine   = regexp.MustCompile(`(?i)^--\s*migrate:(\w+)(.*)$`)
)

func (dbmate) Name() string    { return "dbmate" }
func (dbmate) Recursive() bool { return false }

func (dbmate) Claim(f File) Claim {
	if dbmateMarker.Match(f.Head) {
		return MarkClaim
	}
	return NoClaim
}

func dbmateAnnotation(line string) (dirKind, bool, bool) {
	m := dbmateLine.FindStringSubmatch(line)
	if m == nil {
		return dirNone, false, false
	}
	noTx := strings.Contains(strings.ToLower(strings.ReplaceAll(m[2], " ", "")), "transaction:false")
	switch strings.ToLower(m[1]) {
	case "up":
		return dirUp, noTx, true
	case "down":
		return dirDown, noTx, true
	}
	return dirUnknown, false, true
}

func (dbmate) Parse(f File) ([]Migration, []Problem) {
	m := dbmateName.FindStringSubmatch(f.Base)
	if m == nil {
		return nil, []Problem{nameProblem(f, "dbmate", "VERSION_name.sql, e.g. 20240131120000_add_users.sql")}
	}
	a, probs := parseAnnotated(f, dbmateAnnotation, "-- migrate:up")
	if a.up == nil {
		return nil, probs
	}
	return []Migration{{Version: m[1], Key: m[1], Name: m[2], Format: "dbmate",
		Up: *a.up, hasUp: true, Down: a.down, NoTransaction: a.noTx}}, probs
}

func (dbmate) Less(a, b *Migration) bool { return a.Version < b.Version }

func (dbmate) HistoryKey(version, _ string) string { return version }

func (dbmate) History() History {
	return History{Readers: []string{"dbmate", "rails"}, Table: "schema_migrations"}
}
