package snapshot

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// Problem is one thing wrong with a snapshot, at a JSON path of the
// document (e.g. /schemas/0/tables/3/create_sql).
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Check verifies what the JSON Schema cannot, so that restoring the
// snapshot can only create the objects it declares, in its own databases:
//
//   - every create_sql is one statement, a CREATE of the declared kind and
//     name (tables and views read by the TiDB parser, triggers, routines
//     and events by their head), unqualified or qualified with its own
//     database; a trigger is on a table of its own database;
//   - tables name no file or server outside the sandbox (DATA DIRECTORY,
//     INDEX DIRECTORY, CONNECTION, the CONNECT, FEDERATED and SPIDER
//     engines) and are definitions, not CREATE ... SELECT or LIKE;
//   - history tables are in the snapshot's databases;
//   - database, table, view, trigger, routine and event names are unique,
//     and character set and collation names are names.
//
// A snapshot written by `rehearse snapshot` passes; one that fails was
// edited, damaged or crafted. Load calls Check; restore calls it again.
func (s *Snapshot) Check() []Problem {
	var c checker
	c.noBackslash = strings.Contains(strings.ToUpper(s.Settings["sql_mode"]), "NO_BACKSLASH_ESCAPES")
	schemas := map[string]bool{}
	for i := range s.Schemas {
		sc := &s.Schemas[i]
		at := fmt.Sprintf("/schemas/%d", i)
		if schemas[sc.Name] {
			c.add(at+"/name", "database %q appears twice", sc.Name)
		}
		schemas[sc.Name] = true
		c.charset(at+"/charset", sc.Charset)
		c.charset(at+"/collation", sc.Collation)
		names := map[string]string{}
		unique := func(path, kind, name string) {
			if prev, ok := names[kind+"\x00"+name]; ok {
				c.add(path, "%s %q is also declared at %s", strings.ToLower(kind), name, prev)
			}
			names[kind+"\x00"+name] = path
		}
		for j := range sc.Tables {
			t := &sc.Tables[j]
			p := fmt.Sprintf("%s/tables/%d", at, j)
			unique(p+"/name", "TABLE", t.Name)
			c.charset(p+"/collation", t.Collation)
			for k, col := range t.Columns {
				c.charset(fmt.Sprintf("%s/columns/%d/charset", p, k), col.Charset)
				c.charset(fmt.Sprintf("%s/columns/%d/collation", p, k), col.Collation)
			}
			c.create(p+"/create_sql", t.CreateSQL, "TABLE", sc.Name, t.Name, "")
		}
		for j, v := range sc.Views {
			p := fmt.Sprintf("%s/views/%d", at, j)
			unique(p+"/name", "TABLE", v.Name) // views share the tables' namespace
			c.create(p+"/create_sql", v.CreateSQL, "VIEW", sc.Name, v.Name, "")
		}
		for j, t := range sc.Triggers {
			p := fmt.Sprintf("%s/triggers/%d", at, j)
			unique(p+"/name", "TRIGGER", t.Name)
			c.create(p+"/create_sql", t.CreateSQL, "TRIGGER", sc.Name, t.Name, t.Table)
		}
		for j, r := range sc.Routines {
			p := fmt.Sprintf("%s/routines/%d", at, j)
			kind := strings.ToUpper(r.Type)
			if kind != "PROCEDURE" && kind != "FUNCTION" {
				c.add(p+"/type", "routine type %q: want PROCEDURE or FUNCTION", r.Type)
				continue
			}
			unique(p+"/name", kind, r.Name)
			c.create(p+"/create_sql", r.CreateSQL, kind, sc.Name, r.Name, "")
		}
		for j, e := range sc.Events {
			p := fmt.Sprintf("%s/events/%d", at, j)
			unique(p+"/name", "EVENT", e.Name)
			c.create(p+"/create_sql", e.CreateSQL, "EVENT", sc.Name, e.Name, "")
		}
	}
	for i, h := range s.History {
		p := fmt.Sprintf("/history/%d", i)
		if !schemas[h.Schema] {
			c.add(p+"/schema", "history table %s.%s is not in a database of the snapshot (%s)", h.Schema, h.Table, strings.Join(s.schemaNames(), ", "))
			continue
		}
		if h.Table == "" {
			c.add(p+"/table", "history table without a name")
			continue
		}
		if h.CreateSQL != "" {
			c.create(p+"/create_sql", h.CreateSQL, "TABLE", h.Schema, h.Table, "")
		}
	}
	c.checkLiterals(s)
	return c.problems
}

// Validate is Check as an error: nil, or ErrInvalid naming the first
// problems' paths (name is the file, for the message).
func (s *Snapshot) Validate(name string) error {
	probs := s.Check()
	if len(probs) == 0 {
		return nil
	}
	var lines []string
	for i, p := range probs {
		if i == 5 {
			lines = append(lines, fmt.Sprintf("... and %d more", len(probs)-5))
			break
		}
		lines = append(lines, p.String())
	}
	return rehearse.WithHint(fmt.Errorf("%w: %s: %s", ErrInvalid, name, strings.Join(lines, "; ")),
		"the snapshot was edited, damaged or crafted: take a new one with `rehearse snapshot`, or fix the value at the path shown")
}

func (s *Snapshot) schemaNames() []string {
	out := make([]string, len(s.Schemas))
	for i, sc := range s.Schemas {
		out[i] = sc.Name
	}
	return out
}

type checker struct {
	problems    []Problem
	noBackslash bool
	tidb        *parser.Parser
}

func (c *checker) add(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{path, fmt.Sprintf(format, args...)})
}

// nameRe is a character set or collation name (utf8mb4, utf8mb4_0900_ai_ci,
// uca1400_ai_ci): it is written into CREATE DATABASE unquoted.
var nameRe = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

func (c *checker) charset(path, v string) {
	if v != "" && !nameRe.MatchString(v) {
		c.add(path, "%q is not a character set or collation name", clip(v))
	}
}

// outsideEngines reach files or other servers.
var outsideEngines = map[string]bool{"CONNECT": true, "FEDERATED": true, "FEDERATEDX": true, "SPIDER": true}

// create checks one create_sql: one statement, CREATE kind [schema.]name
// with schema "" or its own, a trigger on [schema.]table.
func (c *checker) create(path, sql, kind, schema, name, onTable string) {
	stmts, err := sqlsplit.SplitString(sql, sqlsplit.Options{NoBackslashEscapes: c.noBackslash})
	switch {
	case err != nil:
		c.add(path, "cannot be read as SQL: %v", err)
		return
	case len(stmts) != 1:
		c.add(path, "holds %d statements; want one CREATE %s %s", len(stmts), kind, name)
		return
	}
	toks, err := sqlsplit.Lex(sql, true)
	if err != nil {
		c.add(path, "cannot be read as SQL: %v", err)
		return
	}
	h, err := readCreateHead(toks)
	if err != nil {
		c.add(path, "is not CREATE %s %s: %v (starts %q)", kind, name, err, clip(sql))
		return
	}
	own := func(q string) bool { return q == "" || q == schema }
	switch {
	case h.Kind != kind:
		c.add(path, "creates a %s, not the %s %s it is declared as (starts %q)", strings.ToLower(h.Kind), strings.ToLower(kind), name, clip(sql))
		return
	case h.Name != name || !own(h.Schema):
		c.add(path, "creates %s %s, not %s.%s as declared", strings.ToLower(kind), dotted(h.Schema, h.Name), schema, name)
		return
	case kind == "TRIGGER" && (h.OnTable != onTable || !own(h.OnSchema)):
		c.add(path, "is a trigger on %s, not on %s.%s as declared", dotted(h.OnSchema, h.OnTable), schema, onTable)
		return
	}
	if kind == "TABLE" {
		c.table(path, sql, h)
	}
	if kind == "VIEW" {
		c.view(path, sql, schema, name)
	}
}

// table refuses what reaches outside the sandbox and what is not a table
// definition. The TiDB parser reads the statement when it can (it does not
// know every MariaDB option); the tokens are checked either way.
func (c *checker) table(path, sql string, h createHead) {
	depth := 0
	for i, t := range h.rest {
		switch {
		case t.Punct("("):
			depth++
		case t.Punct(")"):
			depth--
		case i == 0 && (t.Word("LIKE") || t.Word("AS") || t.Word("SELECT")), depth == 0 && t.Word("SELECT"):
			c.add(path, "is CREATE TABLE ... %s, not a table definition", strings.ToUpper(t.Val))
			return
		case (t.Word("DATA") || t.Word("INDEX")) && i+1 < len(h.rest) && h.rest[i+1].Word("DIRECTORY"):
			c.add(path, "names a %s DIRECTORY: a restored table must stay in the sandbox's data folder", strings.ToUpper(t.Val))
			return
		case t.Word("CONNECTION") && i+1 < len(h.rest) && (h.rest[i+1].Punct("=") || h.rest[i+1].Kind == 's' || h.rest[i+1].Kind == 'q'):
			c.add(path, "names a CONNECTION to another server: a restored table must stay in the sandbox")
			return
		case t.Word("ENGINE") && i+2 < len(h.rest) && h.rest[i+1].Punct("=") && outsideEngines[strings.ToUpper(h.rest[i+2].Val)]:
			c.add(path, "uses ENGINE=%s, which reaches files or servers outside the sandbox", h.rest[i+2].Val)
			return
		}
	}
	if stmt, err := c.parse(sql); err == nil {
		ct, ok := stmt.(*ast.CreateTableStmt)
		if !ok {
			c.add(path, "is not a CREATE TABLE statement (%T)", stmt)
			return
		}
		if ct.TemporaryKeyword != ast.TemporaryNone {
			c.add(path, "creates a temporary table")
		}
	}
}

func (c *checker) view(path, sql, schema, name string) {
	stmt, err := c.parse(sql)
	if err != nil {
		return // the head was checked; MariaDB-only syntax the TiDB parser does not read
	}
	if _, ok := stmt.(*ast.CreateViewStmt); !ok {
		c.add(path, "is not a CREATE VIEW statement (%T)", stmt)
	}
}

func (c *checker) parse(sql string) (ast.StmtNode, error) {
	if c.tidb == nil {
		c.tidb = parser.New()
	}
	return c.tidb.ParseOneStmt(sql, "", "")
}

func dotted(schema, name string) string {
	if schema == "" {
		return name
	}
	return schema + "." + name
}

// clip shortens s for a message.
func clip(s string) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return string(r)
}
