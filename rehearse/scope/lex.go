package scope

import (
	"fmt"
	"strings"
)

// token is one lexical unit of a statement with its place in the text.
type token struct {
	kind       byte   // 'w' word (keyword, bare identifier, number), 'q' quoted identifier, 's' string literal, 'v' @variable, 'p' punctuation
	start, end int    // text[start:end] is the token as written
	val        string // a quoted identifier's or string's value; a word's text
}

func (t token) word(kw string) bool { return t.kind == 'w' && strings.EqualFold(t.val, kw) }
func (t token) ident() bool         { return t.kind == 'w' || t.kind == 'q' }
func (t token) punct(p string) bool { return t.kind == 'p' && t.val == p }

// lex splits text into tokens as the server reads it: comments are
// skipped, the content of executable comments (/*!50001 ... */, /*M!...*/)
// is code. ansiQuotes makes "..." an identifier (sql_mode ANSI_QUOTES).
func lex(text string, ansiQuotes bool) ([]token, error) {
	var out []token
	inExec := false
	s := text
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '#' || c == '-' && strings.HasPrefix(s[i:], "--") && (i+2 == len(s) || s[i+2] <= ' '):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*!") || strings.HasPrefix(s[i:], "/*M!"):
			i += strings.IndexByte(s[i:], '!') + 1
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			inExec = true
		case inExec && strings.HasPrefix(s[i:], "*/"):
			i += 2
			inExec = false
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment")
			}
			i += 2 + end + 2
		case c == '`' || c == '"' || c == '\'':
			val, n, err := quoted(s[i:], c)
			if err != nil {
				return nil, err
			}
			kind := byte('s')
			if c == '`' || c == '"' && ansiQuotes {
				kind = 'q'
			}
			out = append(out, token{kind: kind, start: i, end: i + n, val: val})
			i += n
		case c == '@':
			j := i + 1
			if j < len(s) && s[j] == '@' {
				j++
			}
			if j < len(s) && (s[j] == '`' || s[j] == '\'' || s[j] == '"') {
				_, n, err := quoted(s[j:], s[j])
				if err != nil {
					return nil, err
				}
				j += n
			} else {
				for j < len(s) && (wordByte(s[j]) || s[j] == '.') {
					j++
				}
			}
			out = append(out, token{kind: 'v', start: i, end: j, val: s[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && wordByte(s[j]) {
				j++
			}
			// 1.5, 1e3: a number, not a qualified name.
			if allDigits(s[i:j]) && j < len(s) && s[j] == '.' {
				j++
				for j < len(s) && (wordByte(s[j]) || (s[j] == '+' || s[j] == '-') && (s[j-1] == 'e' || s[j-1] == 'E')) {
					j++
				}
			}
			out = append(out, token{kind: 'w', start: i, end: j, val: s[i:j]})
			i = j
		case wordByte(c):
			j := i
			for j < len(s) && wordByte(s[j]) {
				j++
			}
			out = append(out, token{kind: 'w', start: i, end: j, val: s[i:j]})
			i = j
		default:
			out = append(out, token{kind: 'p', start: i, end: i + 1, val: s[i : i+1]})
			i++
		}
	}
	return out, nil
}

func wordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// quoted reads a quoted token starting at s[0] == q; it returns the value
// and the token's length. Doubled quotes and (in strings) backslash
// escapes are undone.
func quoted(s string, q byte) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q && i+1 < len(s) && s[i+1] == q:
			b.WriteByte(q)
			i++
		case c == q:
			return b.String(), i + 1, nil
		case c == '\\' && q != '`' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'Z':
				b.WriteByte(26)
			case '%', '_':
				b.WriteByte('\\')
				b.WriteByte(s[i])
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated %c quote", q)
}

// heads returns the indexes of the tokens that begin a qualified name
// (x.y, x.y.z, x.*): an identifier followed by "." and an identifier or
// "*", not itself after a ".".
func heads(toks []token) []int {
	var out []int
	for i := 0; i+2 < len(toks); i++ {
		if !toks[i].ident() || !toks[i+1].punct(".") || !(toks[i+2].ident() || toks[i+2].punct("*")) {
			continue
		}
		if i > 0 && toks[i-1].punct(".") {
			continue
		}
		out = append(out, i)
	}
	return out
}

// quoteIdent quotes a name with backquotes.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// quoteString quotes a value as a string literal the server reads back as
// the same bytes whatever sql_mode (NO_BACKSLASH_ESCAPES included): quotes
// doubled, no backslash escapes introduced.
func quoteString(s string) (string, bool) {
	if strings.ContainsRune(s, '\\') {
		return "", false // its meaning depends on NO_BACKSLASH_ESCAPES
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'", true
}
