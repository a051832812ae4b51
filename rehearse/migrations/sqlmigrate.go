package migrations

import (
	"regexp"
	"strings"
)

// sqlMigrate reads rubenv/sql-migrate files: any NAME.sql with
// "-- +migrate Up [notransaction]" / "-- +migrate Down" sections and
// "-- +migrate StatementBegin" / "StatementEnd". The id is the file name,
// which is what gorp_migrations records; files sort by their numeric prefix
// when both have one, else by name.
type sqlMigrate struct{}

func init() { Register(sqlMigrate{}) }

var (
	smMarker = regexp.MustCompile(`(?im)^\s*--\s*\+migrate\s+up\b`)
	smLine   = regexp.MustCompile(`(?i)^--\s*\+migrate\s+(\w+)(.*)$`)
	smPrefix = regexp.MustCompile(`^([0-9]+)`)
)

func (sqlMigrate) Name() string    { return "sql-migrate" }
func (sqlMigrate) Recursive() bool { return false }

func (sqlMigrate) Claim(f File) Claim {
	if smMarker.Match(f.Head) {
		return MarkClaim
	}
	return NoClaim
}

func smAnnotation(line string) (dirKind, bool, bool) {
	m := smLine.FindStringSubmatch(line)
	if m == nil {
		return dirNone, false, false
	}
	noTx := strings.Contains(strings.ToLower(m[2]), "notransaction")
	switch strings.ToLower(m[1]) {
	case "up":
		return dirUp, noTx, true
	case "down":
		return dirDown, noTx, true
	case "statementbegin":
		return dirBegin, false, true
	case "statementend":
		return dirEnd, false, true
	}
	return dirUnknown, false, true
}

func (sqlMigrate) Parse(f File) ([]Migration, []Problem) {
	a, probs := parseAnnotated(f, smAnnotation, "-- +migrate Up")
	if a.up == nil {
		return nil, probs
	}
	name := strings.TrimSuffix(f.Base, ".sql")
	return []Migration{{Version: f.Base, Key: f.Base, Name: name, Format: "sql-migrate",
		Up: *a.up, hasUp: true, Down: a.down, NoTransaction: a.noTx}}, probs
}

func (sqlMigrate) Less(a, b *Migration) bool {
	pa, pb := smPrefix.FindString(a.Key), smPrefix.FindString(b.Key)
	if pa != "" && pb != "" {
		if c := CompareVersions(pa, pb); c != 0 {
			return c < 0
		}
	}
	return a.Key < b.Key
}

func (sqlMigrate) HistoryKey(version, _ string) string { return version }

func (sqlMigrate) History() History {
	return History{Readers: []string{"sql-migrate"}, Table: "gorp_migrations"}
}
