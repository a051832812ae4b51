package scope

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Table is a table a statement names: Schema is "" when the statement
// leaves it to the session's default database.
type Table struct {
	Schema, Name string
}

// StatementKind says what a statement does to the tables it names.
type StatementKind string

// Statement kinds (Tables).
const (
	KindDDL   StatementKind = "ddl"   // ALTER, CREATE/DROP INDEX, RENAME, TRUNCATE, DROP/CREATE TABLE, OPTIMIZE
	KindWrite StatementKind = "write" // INSERT, REPLACE, UPDATE, DELETE, LOAD DATA
	KindRead  StatementKind = "read"  // SELECT (also SELECT ... FOR UPDATE)
	KindLock  StatementKind = "lock"  // LOCK TABLES, FLUSH TABLES ... WITH READ LOCK
	KindOther StatementKind = "other" // anything else (SET, COMMIT, SHOW, ...)
)

// Tables returns the tables one statement names, in the order they appear,
// each once, and what the statement does (KindDDL, KindWrite, ...). ok is
// false when the MySQL parser cannot read the text (a statement truncated
// by SHOW PROCESSLIST, a dialect it lacks). Used to tell which tables the
// sessions of an incident's processlist held or waited for
// (rehearse/reproduce).
func Tables(text string) (tables []Table, kind StatementKind, ok bool) {
	c := (&Scope{}).checker()
	stmts, _, err := c.parse(text)
	if err != nil || len(stmts) == 0 {
		return nil, "", false
	}
	kind = statementKind(stmts[0])
	roots := make([]ast.Node, len(stmts))
	for i, s := range stmts {
		roots[i] = s
	}
	f := collect(roots...)
	seen := map[Table]bool{}
	for _, t := range f.tables {
		tb := Table{Schema: t.Schema.O, Name: t.Name.O}
		key := Table{Schema: strings.ToLower(tb.Schema), Name: strings.ToLower(tb.Name)}
		if tb.Name == "" || seen[key] || isSystemSchema(key.Schema) {
			continue
		}
		seen[key] = true
		tables = append(tables, tb)
	}
	return tables, kind, true
}

func isSystemSchema(s string) bool {
	switch s {
	case "information_schema", "performance_schema", "mysql", "sys":
		return true
	}
	return false
}

func statementKind(s ast.StmtNode) StatementKind {
	switch n := s.(type) {
	case *ast.AlterTableStmt, *ast.CreateIndexStmt, *ast.DropIndexStmt, *ast.RenameTableStmt,
		*ast.TruncateTableStmt, *ast.DropTableStmt, *ast.CreateTableStmt, *ast.OptimizeTableStmt, *ast.RepairTableStmt:
		return KindDDL
	case *ast.InsertStmt, *ast.UpdateStmt, *ast.DeleteStmt, *ast.LoadDataStmt:
		return KindWrite
	case *ast.SelectStmt, *ast.SetOprStmt:
		return KindRead
	case *ast.LockTablesStmt:
		return KindLock
	case *ast.FlushStmt:
		if n.Tp == ast.FlushTables && n.ReadLock {
			return KindLock
		}
	}
	return KindOther
}
