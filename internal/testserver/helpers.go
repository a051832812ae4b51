package testserver

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Exec runs each statement on db, failing the test at the first error
// (named by the statement's first line).
func Exec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
			t.Fatalf("%s: %v", first, err)
		}
	}
}

// JSONDiff returns the first differing lines (at most eight) of two values'
// indented JSON, want first: "" when they are the same.
func JSONDiff(want, got any) string {
	ja, _ := json.MarshalIndent(want, "", " ")
	jb, _ := json.MarshalIndent(got, "", " ")
	la, lb := strings.Split(string(ja), "\n"), strings.Split(string(jb), "\n")
	var out []string
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			out = append(out, fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, x, y))
			if len(out) == 8 {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
