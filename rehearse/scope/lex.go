package scope

import (
	"strings"

	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// token is one lexical unit of a statement with its place in the text:
// the project's one lexer, sqlsplit.Lex (comments skipped, executable
// comments read as code, "..." an identifier under ANSI_QUOTES).
type token = sqlsplit.Token

// heads returns the indexes of the tokens that begin a qualified name
// (x.y, x.y.z, x.*): an identifier followed by "." and an identifier or
// "*", not itself after a ".".
func heads(toks []token) []int {
	var out []int
	for i := 0; i+2 < len(toks); i++ {
		if !toks[i].Ident() || !toks[i+1].Punct(".") || !(toks[i+2].Ident() || toks[i+2].Punct("*")) {
			continue
		}
		if i > 0 && toks[i-1].Punct(".") {
			continue
		}
		out = append(out, i)
	}
	return out
}

// quoteString quotes a value as a string literal the server reads back as
// the same bytes whatever sql_mode (NO_BACKSLASH_ESCAPES included): quotes
// doubled, no backslash escapes introduced.
func quoteString(s string) (string, bool) {
	if strings.ContainsRune(s, '\\') {
		return "", false // its meaning depends on NO_BACKSLASH_ESCAPES
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'", true
}
