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
	v, err := strconv.ParseUint(m[1], 10, 64)
	if err != nil {
		return nil, []Problem{{Code: "bad-name", Severity: Error, File: f.Path,
			Message: fmt.Sprintf("version %s is not a 64-bit unsigned number", m[1])}}
	}
	s, probs := wholeFile(f)
	mig := Migration{Version: m[1], Key: strconv.FormatUint(v, 10), Name: m[2], Format: "golang-migrate"}
	if m[3] == "up" {
		mig.Up, mig.hasUp = *s, true
	} else {
		mig.Down = s
	}
	return []Migration{mig}, probs
}

func (golangMigrate) Less(a, b *Migration) bool { return lessNumeric(a.Key, b.Key) }

func (golangMigrate) HistoryKey(version, _ string) string { return numKey(version) }

// nameProblem says a .sql file's name does not fit the format.
func nameProblem(f File, format, pattern string) Problem {
	return Problem{Code: "bad-name", Severity: Error, File: f.Path,
		Message: fmt.Sprintf("the name does not fit %s (%s); rename it, move it out of the folder, or pick another --format", format, pattern)}
}

// numKey strips leading zeros from a decimal version ("000012" -> "12").
func numKey(v string) string {
	i := 0
	for i < len(v)-1 && v[i] == '0' {
		i++
	}
	return v[i:]
}

// lessNumeric compares decimal strings by value (any length), then as text.
func lessNumeric(a, b string) bool {
	a, b = numKey(a), numKey(b)
	if isDigits(a) && isDigits(b) && len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
