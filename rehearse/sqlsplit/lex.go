package sqlsplit

import (
	"fmt"
	"strings"
)

// Token is one lexical unit of a statement, with its place in the text.
type Token struct {
	// Kind is 'w' a word (keyword, bare identifier, number), 'q' a quoted
	// identifier (backquotes; double quotes under ANSI_QUOTES), 's' a string
	// literal, 'v' an @variable or @@variable, 'p' one punctuation byte.
	Kind       byte
	Start, End int    // text[Start:End] is the token as written
	Val        string // a quoted identifier's or string's value; else the text
}

// Word reports whether the token is the keyword kw (any case).
func (t Token) Word(kw string) bool { return t.Kind == 'w' && strings.EqualFold(t.Val, kw) }

// Ident reports whether the token can be a name (a word or a quoted identifier).
func (t Token) Ident() bool { return t.Kind == 'w' || t.Kind == 'q' }

// Punct reports whether the token is the punctuation p.
func (t Token) Punct(p string) bool { return t.Kind == 'p' && t.Val == p }

// Lex splits one statement's text into tokens the way the server reads it:
// comments are skipped, but the content of executable comments (/*!50001
// ... */, MariaDB's /*M!100100 ... */) is code, as it is to the server.
// ansiQuotes makes "..." an identifier (sql_mode ANSI_QUOTES). It is a
// lexer, not a parser: it fails only on an unterminated quote or comment.
func Lex(text string, ansiQuotes bool) ([]Token, error) {
	var out []Token
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
			val, n, err := unquoteToken(s[i:], c)
			if err != nil {
				return nil, err
			}
			kind := byte('s')
			if c == '`' || c == '"' && ansiQuotes {
				kind = 'q'
			}
			out = append(out, Token{Kind: kind, Start: i, End: i + n, Val: val})
			i += n
		case c == '@':
			j := i + 1
			if j < len(s) && s[j] == '@' {
				j++
			}
			if j < len(s) && (s[j] == '`' || s[j] == '\'' || s[j] == '"') {
				_, n, err := unquoteToken(s[j:], s[j])
				if err != nil {
					return nil, err
				}
				j += n
			} else {
				for j < len(s) && (isWordByte(s[j]) || s[j] == '.') {
					j++
				}
			}
			out = append(out, Token{Kind: 'v', Start: i, End: j, Val: s[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			// 1.5, 1e3: a number, not a qualified name.
			if allDigits([]byte(s[i:j])) && j < len(s) && s[j] == '.' {
				j++
				for j < len(s) && (isWordByte(s[j]) || (s[j] == '+' || s[j] == '-') && (s[j-1] == 'e' || s[j-1] == 'E')) {
					j++
				}
			}
			out = append(out, Token{Kind: 'w', Start: i, End: j, Val: s[i:j]})
			i = j
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, Token{Kind: 'w', Start: i, End: j, Val: s[i:j]})
			i = j
		default:
			out = append(out, Token{Kind: 'p', Start: i, End: i + 1, Val: s[i : i+1]})
			i++
		}
	}
	return out, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// unquoteToken reads a quoted token starting at s[0] == q; it returns the
// value and the token's length. Doubled quotes and (in strings) backslash
// escapes are undone.
func unquoteToken(s string, q byte) (string, int, error) {
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

// MariaDBCode returns text as MariaDB runs it: the markers of its
// executable comments (/*M!100100 and the closing */) blanked with spaces,
// so their content reads as code, at the same offsets. MySQL's /*!50001
// comments are left for the parser, which reads them; MariaDB's are skipped
// by parsers that are not MariaDB's, and a check that skips them checks
// less than the server runs (DROP TABLE t /*M!100000 , other.t */). ok is
// false when the blanked text would not read as the same tokens (a "--"
// just before a marker becomes a comment once the marker is spaces) or
// cannot be read at all: the caller cannot check it and must refuse it.
func MariaDBCode(text string) (out string, ok bool) {
	if !strings.Contains(text, "/*M!") {
		return text, true
	}
	b := []byte(text)
	blank := func(from, to int) {
		for k := from; k < to; k++ {
			b[k] = ' '
		}
	}
	s := text
	inExec, inM := false, false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '#' || c == '-' && strings.HasPrefix(s[i:], "--") && (i+2 == len(s) || s[i+2] <= ' '):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case !inExec && (strings.HasPrefix(s[i:], "/*!") || strings.HasPrefix(s[i:], "/*M!")):
			start := i
			inM = s[i+2] == 'M'
			i += strings.IndexByte(s[i:], '!') + 1
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			if inM {
				blank(start, i)
			}
			inExec = true
		case inExec && strings.HasPrefix(s[i:], "*/"):
			if inM {
				blank(i, i+2)
			}
			i += 2
			inExec, inM = false, false
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return text, false
			}
			i += 2 + end + 2
		case c == '`' || c == '"' || c == '\'':
			_, n, err := unquoteToken(s[i:], c)
			if err != nil {
				return text, false
			}
			i += n
		default:
			i++
		}
	}
	if inExec {
		return text, false
	}
	out = string(b)
	// The server's tokens, before and after, must be the same.
	for _, ansi := range []bool{false, true} {
		before, err1 := Lex(text, ansi)
		after, err2 := Lex(out, ansi)
		if err1 != nil || err2 != nil || len(before) != len(after) {
			return text, false
		}
		for i := range before {
			if before[i] != after[i] {
				return text, false
			}
		}
	}
	return out, true
}
