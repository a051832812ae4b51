package snapshot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

type token = sqlsplit.Token

// createHead is what a CREATE statement's head says it creates.
type createHead struct {
	Kind   string // TABLE, VIEW, TRIGGER, PROCEDURE, FUNCTION, EVENT (upper case), or the word found
	Schema string // qualifier of the name, "" when unqualified
	Name   string
	// OnSchema and OnTable are a trigger's table.
	OnSchema, OnTable string
	rest              []token // the tokens after the name (a trigger's: after its table)
	nameEnd           int     // byte offset just after the name
}

// readCreateHead reads CREATE [OR REPLACE] [ALGORITHM=x] [DEFINER=u@h]
// [SQL SECURITY x] [AGGREGATE] KIND [IF NOT EXISTS] [schema.]name, and for
// a trigger its ON [schema.]table.
func readCreateHead(toks []token) (createHead, error) {
	var h createHead
	p := 0
	next := func() token {
		if p < len(toks) {
			p++
			return toks[p-1]
		}
		return token{}
	}
	peek := func(k int) token {
		if p+k < len(toks) {
			return toks[p+k]
		}
		return token{}
	}
	if !next().Word("CREATE") {
		return h, errors.New("it does not start with CREATE")
	}
	for {
		t := peek(0)
		switch {
		case t.Word("OR") && peek(1).Word("REPLACE"):
			p += 2
		case t.Word("ALGORITHM") && peek(1).Punct("="):
			p += 3
		case t.Word("DEFINER") && peek(1).Punct("="):
			p += 2
			if u := next(); u.Word("CURRENT_USER") && peek(0).Punct("(") && peek(1).Punct(")") {
				p += 2
			}
			if peek(0).Kind == 'v' { // @host, @'%', @`localhost`
				p++
			}
		case t.Word("SQL") && peek(1).Word("SECURITY"):
			p += 3
		case t.Word("AGGREGATE"):
			p++
		default:
			goto kind
		}
	}
kind:
	k := next()
	if k.Kind != 'w' {
		return h, fmt.Errorf("no object kind after CREATE")
	}
	h.Kind = strings.ToUpper(k.Val)
	if peek(0).Word("IF") && peek(1).Word("NOT") && peek(2).Word("EXISTS") {
		p += 3
	}
	var err error
	if h.Schema, h.Name, p, err = qualifiedName(toks, p); err != nil {
		return h, fmt.Errorf("CREATE %s: %w", h.Kind, err)
	}
	h.nameEnd = toks[p-1].End
	if h.Kind == "TRIGGER" {
		for p < len(toks) && !toks[p].Word("ON") {
			p++ // BEFORE|AFTER INSERT|UPDATE|DELETE
		}
		if p == len(toks) {
			return h, errors.New("CREATE TRIGGER without ON table")
		}
		if h.OnSchema, h.OnTable, p, err = qualifiedName(toks, p+1); err != nil {
			return h, fmt.Errorf("CREATE TRIGGER ... ON: %w", err)
		}
	}
	h.rest = toks[p:]
	return h, nil
}

// qualifiedName reads name or schema.name at toks[p].
func qualifiedName(toks []token, p int) (schema, name string, next int, err error) {
	if p >= len(toks) {
		return "", "", p, errors.New("no name")
	}
	if !toks[p].Ident() {
		return "", "", p, fmt.Errorf("no name (found %q)", toks[p].Val)
	}
	n := toks[p].Val
	p++
	if p+1 < len(toks) && toks[p].Punct(".") {
		if !toks[p+1].Ident() {
			return "", "", p, fmt.Errorf("no name after %q and its dot", n)
		}
		return n, toks[p+1].Val, p + 2, nil
	}
	return "", n, p, nil
}

// TableDefinition reads a CREATE TABLE statement (SHOW CREATE TABLE's
// text): the table's name and the text after it (the definition), so the
// table can be created under another qualified name. It fails on anything
// else.
func TableDefinition(createSQL string) (name, definition string, err error) {
	toks, err := sqlsplit.Lex(createSQL, true)
	if err != nil {
		return "", "", err
	}
	h, err := readCreateHead(toks)
	if err != nil {
		return "", "", err
	}
	if h.Kind != "TABLE" {
		return "", "", fmt.Errorf("CREATE %s is not CREATE TABLE", h.Kind)
	}
	return h.Name, createSQL[h.nameEnd:], nil
}
