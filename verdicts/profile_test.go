package verdicts

import (
	"fmt"
	"regexp"
	"strings"
)

// The previous app of a case is its app: statements. rehearse is told them
// as a load profile (docs/load-profile.md), the way a user describes the
// application: the load plays them while the migrations run, and the
// previous-app check replays each against the new schema. Without it the
// tool would judge its default mix, which writes whatever the pre-release
// schema has and is not the app the truth was established with.
var (
	insertValues  = regexp.MustCompile(`(?is)^\s*(INSERT\s+INTO\s+\S+\s*\(([^)]*)\))\s*VALUES\s*\(.*\)\s*;?\s*$`)
	stringLit     = regexp.MustCompile(`'(?:[^'\\]|\\.|'')*'`)
	numberAfterEq = regexp.MustCompile(`(=\s*)-?\d+(?:\.\d+)?\b`)
)

// appShape writes an app statement with ? for its values, as a digest or
// an ORM's prepared statement has it.
func appShape(q string) string {
	q = strings.TrimSpace(strings.ReplaceAll(q, "{n}", "0"))
	if m := insertValues.FindStringSubmatch(q); m != nil {
		n := len(strings.Split(m[2], ","))
		return m[1] + " VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	}
	q = stringLit.ReplaceAllString(q, "?")
	return numberAfterEq.ReplaceAllString(q, "${1}?")
}

// appProfile is the load profile of a case's app (empty without one).
func appProfile(c *Case) string {
	if len(c.App) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("format: rehearse.load-profile/v1\noperations:\n")
	for _, q := range c.App {
		fmt.Fprintf(&b, "  - statement: %q\n", appShape(q))
	}
	return b.String()
}
