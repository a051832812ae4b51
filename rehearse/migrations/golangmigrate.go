package migrations

import (
	"fmt"
	"regexp"
	"strconv"
)

// golangMigrate reads golang-migrate's NNN_name.up.sql / NNN_name.down.sql
// pairs (also what Mattermost's morph runs). Versions are unsigned numbers;
// the history table records the number without leading zeros.
type golangMigrate struct{}

func init() { Register(golangMigrate{}) }

var gmName = regexp.MustCompile(`^([0-9]+)_(.*)\.(up|down)\.sql$`)

func (golangMigrate) Name() string    { return "golang-migrate" }
func (golangMigrate) Recursive() bool { return false }

func (golangMigrate) Claim(f File) Claim {
	if gmName.MatchString(f.Base) {
		return NameClaim
	}
	return NoClaim
}

func (golangMigrate) Parse(f File) ([]Migration, []Problem) {
	m := gmName.FindStringSubmatch(f.Base)
	if m == nil {
		return nil, []Problem{nameProblem(f, "golang-migrate", "NNN_name.up.sql / NNN_name.down.sql")}
	}
	if _, err := strconv.ParseUint(m[1], 10, 64); err != nil {
		msg := fmt.Sprintf("golang-migrate reads versions as 64-bit unsigned numbers and would refuse version %s", m[1])
		if popName.MatchString(f.Base) {
			msg += "; the name carries a dialect (" + f.Base + "): read the folder as --migrations-format pop"
		}
		return nil, []Problem{{Code: "bad-name", Severity: Error, File: f.Path, Message: msg}}
	}
	s, probs := wholeFile(f)
	mig := Migration{Version: m[1], Key: numKey(m[1]), Name: m[2], Format: "golang-migrate"}
	if m[3] == "up" {
		mig.Up, mig.hasUp = *s, true
	} else {
		mig.Down = s
	}
	return []Migration{mig}, probs
}

func (golangMigrate) Less(a, b *Migration) bool { return VersionLess(a.Key, b.Key) }

func (golangMigrate) HistoryKey(version, _ string) string { return numKey(version) }

// nameProblem says a .sql file's name does not fit the format.
func nameProblem(f File, format, pattern string) Problem {
	return Problem{Code: "bad-name", Severity: Error, File: f.Path,
		Message: fmt.Sprintf("the name does not fit %s (%s); rename it, move it out of the folder, or pick another --format", format, pattern)}
}

func (golangMigrate) History() History {
	return History{Readers: []string{"golang-migrate", "morph"}, Table: "schema_migrations"}
}
