package migrations

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// goose reads pressly/goose SQL migrations: NNN_name.sql with
// "-- +goose Up" / "-- +goose Down" sections, "-- +goose StatementBegin" /
// "StatementEnd" around statements that hold ';', and
// "-- +goose NO TRANSACTION". Versions are int64 (sequential or timestamps).
type goose struct{}

func init() { Register(goose{}) }

var (
	gooseName   = regexp.MustCompile(`^([0-9]+)_?(.*)\.sql$`)
	gooseMarker = regexp.MustCompile(`(?im)^\s*--\s*\+goose\s+up\b`)
	gooseLine   = regexp.MustCompile(`(?i)^--\s*\+goose\s+(.*)$`)
)

func (goose) Name() string    { return "goose" }
func (goose) Recursive() bool { return false }

func (goose) Claim(f File) Claim {
	if gooseMarker.Match(f.Head) {
		return MarkClaim
	}
	return NoClaim
}

func gooseAnnotation(line string) (dirKind, bool, bool) {
	m := gooseLine.FindStringSubmatch(line)
	if m == nil {
		return dirNone, false, false
	}
	switch arg := strings.ToLower(strings.Join(strings.Fields(m[1]), " ")); {
	case arg == "up":
		return dirUp, false, true
	case arg == "down":
		return dirDown, false, true
	case arg == "statementbegin":
		return dirBegin, false, true
	case arg == "statementend":
		return dirEnd, false, true
	case arg == "no transaction":
		return dirNoTx, true, true
	case strings.HasPrefix(arg, "envsub"):
		return dirIgnore, false, true
	}
	return dirUnknown, false, true
}

func (goose) Parse(f File) ([]Migration, []Problem) {
	m := gooseName.FindStringSubmatch(f.Base)
	if m == nil {
		return nil, []Problem{nameProblem(f, "goose", "NNN_name.sql")}
	}
	v, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || v < 1 {
		return nil, []Problem{{Code: "bad-name", Severity: Error, File: f.Path,
			Message: fmt.Sprintf("goose version %s must be a number from 1 to 2^63-1", m[1])}}
	}
	a, probs := parseAnnotated(f, gooseAnnotation, "-- +goose Up")
	if a.up == nil {
		return nil, probs
	}
	mig := Migration{Version: m[1], Key: strconv.FormatInt(v, 10), Name: m[2], Format: "goose",
		Up: *a.up, hasUp: true, Down: a.down, NoTransaction: a.noTx}
	return []Migration{mig}, probs
}

func (goose) Less(a, b *Migration) bool { return VersionLess(a.Key, b.Key) }

func (goose) HistoryKey(version, _ string) string { return numKey(version) }

func (goose) History() History { return History{Readers: []string{"goose"}, Table: "goose_db_version"} }
