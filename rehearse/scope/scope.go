package scope

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver" // literal values in the syntax tree

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// Scope confines statements to Scratch. Databases are the snapshot's
// databases: a name qualified with one of them is rewritten to Scratch
// (their objects live there on the dsn engine). Names are compared
// without regard to case (a rewrite confines; it never widens).
type Scope struct {
	Scratch   string
	Databases []string
	// SQLMode is the session's sql_mode: ANSI_QUOTES makes "x" a name.
	SQLMode string
}

// Violation is a statement that cannot be confined to the scratch
// database, and why. File and Line are the statement's when known.
type Violation struct {
	File   string
	Line   int
	What   string // e.g. "statement", "trigger app.audit"
	Text   string // the statement's first words
	Reason string
	// Database is the other database the statement names, when that is
	// why it is refused ("" otherwise).
	Database string
}

func (v *Violation) Error() string {
	where := ""
	if v.File != "" {
		where = v.File
		if v.Line > 0 {
			where += fmt.Sprintf(":%d", v.Line)
		}
		where += ": "
	}
	what := v.What
	if what == "" {
		what = "statement"
	}
	return fmt.Sprintf("%s%s %q cannot run on the dsn engine: %s", where, what, v.Text, v.Reason)
}

// Hint says what to do about any Violation.
const Hint = "rehearse it on a throwaway server instead (--engine auto, local or docker: nothing there is shared), or remove what names another database; docs/security.md lists what the dsn engine refuses"

// edit replaces text[start:end] by repl.
type edit struct {
	start, end int
	repl       string
}

func apply(text string, edits []edit) string {
	if len(edits) == 0 {
		return text
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var b strings.Builder
	at := 0
	for _, e := range edits {
		if e.start < at {
			continue // overlapping: the first wins (never produced)
		}
		b.WriteString(text[at:e.start])
		b.WriteString(e.repl)
		at = e.end
	}
	b.WriteString(text[at:])
	return b.String()
}

func shift(edits []edit, by int) []edit {
	for i := range edits {
		edits[i].start += by
		edits[i].end += by
	}
	return edits
}

// refusal is a reason a statement cannot be confined.
type refusal string

func (r refusal) Error() string { return string(r) }

func refusef(format string, args ...any) error { return refusal(fmt.Sprintf(format, args...)) }

// otherDatabase is the refusal of a name qualified with a database that is
// neither the scratch database nor the snapshot's.
type otherDatabase string

func (o otherDatabase) Error() string {
	return fmt.Sprintf("it names database %s, which is not the snapshot's: the dsn engine writes only in its scratch database", mysqlkit.Quote(string(o)))
}

// violation makes the Violation of a refused statement.
func violation(file string, line int, text string, err error) *Violation {
	v := &Violation{File: file, Line: line, Text: firstWords(text), Reason: err.Error()}
	var o otherDatabase
	if errors.As(err, &o) {
		v.Database = string(o)
	}
	return v
}

// Check returns text confined to the scratch database, or a *Violation.
func (s *Scope) Check(text string) (string, error) {
	c := s.checker()
	edits, err := c.statement(text, nil)
	if err != nil {
		return "", violation("", 0, text, err)
	}
	return apply(text, edits), nil
}

// Script checks statements in order and returns them confined (same
// files and lines, rewritten texts). User variables that a PREPARE reads
// must be set in the same script from literals the check can see (SET @q =
// (SELECT IF(..., 'ALTER TABLE ...', 'SELECT 1'))); the first statement
// that cannot be confined is returned as a *Violation with its file and line.
func (s *Scope) Script(stmts []sqlsplit.Statement) ([]sqlsplit.Statement, error) {
	c := s.checker()
	vars := c.scriptVars(stmts)
	out := make([]sqlsplit.Statement, len(stmts))
	for i, st := range stmts {
		edits, err := c.statement(st.Text, vars)
		if err != nil {
			return nil, violation(st.File, st.Line, st.Text, err)
		}
		out[i] = st
		out[i].Text = apply(st.Text, edits)
	}
	return out, nil
}

// checker holds what one check needs.
type checker struct {
	s     *Scope
	p     *parser.Parser
	ansi  bool
	known map[string]bool // lower-cased snapshot databases
}

func (s *Scope) checker() *checker {
	p := parser.New()
	p.SetParserConfig(parser.ParserConfig{EnableWindowFunction: true, EnableStrictDoubleTypeCheck: true})
	mode, err := mysql.GetSQLMode(mysql.FormatSQLModeStr(s.SQLMode))
	if err == nil {
		p.SetSQLMode(mode)
	}
	c := &checker{s: s, p: p, ansi: err == nil && mode.HasANSIQuotesMode(), known: map[string]bool{}}
	for _, d := range s.Databases {
		c.known[strings.ToLower(d)] = true
	}
	return c
}

// parse parses text as the server runs it: MariaDB's executable comments
// (/*M!...*/) are code, which the parser would skip.
func (c *checker) parse(text string) ([]ast.StmtNode, []error, error) {
	code, ok := sqlsplit.MariaDBCode(text)
	if !ok {
		return nil, nil, errors.New("a MariaDB executable comment (/*M!...*/) that cannot be read as the server reads it")
	}
	return c.p.Parse(code, "", "")
}

// database classifies a database name a statement uses: "scratch" (it is
// the scratch database or information_schema, which the server keeps
// read-only), "rewrite" (a snapshot database) or "" (anything else).
func (c *checker) database(name string) string {
	l := strings.ToLower(name)
	switch {
	case l == strings.ToLower(c.s.Scratch), l == "information_schema":
		return "scratch"
	case c.known[l]:
		return "rewrite"
	}
	return ""
}

// statement checks one statement's text; vars are the user variables the
// script assigns (nil: none known).
func (c *checker) statement(text string, vars map[string]*userVar) ([]edit, error) {
	toks, err := sqlsplit.Lex(text, c.ansi)
	if err != nil {
		return nil, refusef("it cannot be read: %v", err)
	}
	if len(toks) == 0 {
		return nil, nil
	}
	stmts, _, perr := c.parse(text)
	if perr == nil && len(stmts) > 0 {
		return c.parsed(text, toks, stmts, vars)
	}
	if edits, handled, err := c.object(text, toks); handled {
		return edits, err
	}
	return nil, refusef("the MySQL parser rehearse uses cannot read it (%s), so rehearse cannot prove it stays in the scratch database", firstLine(perr))
}

func firstLine(err error) string {
	if err == nil {
		return "no statement"
	}
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func firstWords(s string) string {
	w := strings.Fields(s)
	if len(w) > 8 {
		return strings.Join(w[:8], " ") + " ..."
	}
	return strings.Join(w, " ")
}
