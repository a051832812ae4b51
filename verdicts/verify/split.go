package main

import (
	"regexp"
	"strings"
)

// stmt is one statement of a script and its first line.
type stmt struct {
	SQL  string
	Line int
}

// routine marks a script whose statements the client could not split on
// ';' (a routine body without DELIMITER): the verifier then sends it whole,
// as the runner does, and judges the migration, not each statement.
var routine = regexp.MustCompile(`(?is)\bCREATE\s+(DEFINER\s*=\s*\S+\s+)?(PROCEDURE|FUNCTION|TRIGGER|EVENT)\b`)

// split cuts a script at ';' outside quotes and comments, the way the
// mysql client does without a DELIMITER line. Comments are kept in the
// text; empty statements are dropped.
func split(text string) []stmt {
	var out []stmt
	start, line, startLine := 0, 1, 1
	emit := func(end int) {
		s := strings.TrimSpace(text[start:end])
		if onlyComments(s) {
			return
		}
		out = append(out, stmt{SQL: s, Line: startLine + leadingLines(text[start:end])})
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n':
			line++
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(text) {
				if text[j] == '\\' && c != '`' {
					j += 2
					continue
				}
				if text[j] == c {
					if j+1 < len(text) && text[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			line += strings.Count(text[i:min(j+1, len(text))], "\n")
			i = j
		case c == '#' || c == '-' && strings.HasPrefix(text[i:], "-- ") || c == '-' && strings.HasPrefix(text[i:], "--\n"):
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				i = len(text)
				continue
			}
			i += j - 1
		case c == '/' && strings.HasPrefix(text[i:], "/*"):
			j := strings.Index(text[i+2:], "*/")
			if j < 0 {
				i = len(text)
				continue
			}
			line += strings.Count(text[i:i+2+j+2], "\n")
			i += 2 + j + 1
		case c == ';':
			emit(i)
			start, startLine = i+1, line
		}
	}
	emit(len(text))
	return out
}

// leadingLines counts the newlines before the first non-space character.
func leadingLines(s string) int {
	n := 0
	for _, r := range s {
		switch r {
		case '\n':
			n++
		case ' ', '\t', '\r':
		default:
			return n
		}
	}
	return n
}

var commentLine = regexp.MustCompile(`(?m)^\s*(--.*|#.*)?$`)

// onlyComments tells whether s holds nothing but comments and space.
func onlyComments(s string) bool {
	s = regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(s, "")
	return strings.TrimSpace(commentLine.ReplaceAllString(s, "")) == ""
}
