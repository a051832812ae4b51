package scope

import (
	"sort"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Databases returns the databases a statement names, lower-cased and
// sorted: the qualifiers of its names (app.t, `app`.f()), USE, CREATE,
// ALTER and DROP DATABASE. Unqualified names are not counted: they refer
// to the session's default database, which the caller knows. ok is false
// when the MySQL parser cannot read the statement. Used to read what a
// binary log's statements touched (rehearse/confine).
func Databases(text string) (names []string, ok bool) {
	c := (&Scope{}).checker()
	stmts, _, err := c.parse(text)
	if err != nil {
		return nil, false
	}
	roots := make([]ast.Node, len(stmts))
	for i, s := range stmts {
		roots[i] = s
	}
	f := collect(roots...)
	seen := map[string]bool{}
	add := func(n string) {
		if n = strings.ToLower(n); n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, q := range f.quals {
		add(qualName(q))
	}
	for _, s := range f.stmts {
		switch d := s.(type) {
		case *ast.CreateDatabaseStmt:
			add(d.Name.O)
		case *ast.AlterDatabaseStmt:
			add(d.Name.O)
		case *ast.DropDatabaseStmt:
			add(d.Name.O)
		}
	}
	sort.Strings(names)
	return names, true
}
