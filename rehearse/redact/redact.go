// Package redact masks credentials in text, and writes the files rehearse
// produces: masked, and whole or not at all. Every file the tool writes
// (reports in every format, snapshots, plans, diffs, load profiles, scenario
// exports) goes through WriteFile.
package redact

import (
	"regexp"
	"strings"
)

// Mask replaces every redacted secret.
const Mask = "*****"

// secretPatterns find credentials in free text. Each has exactly one
// capturing group, the secret itself, and the lower-case substrings one of
// which any match contains (a cheap filter before the expression runs).
var secretPatterns = []struct {
	re   *regexp.Regexp
	need []string
}{
	// URL user info: mysql://user:secret@host, also inside other text.
	{regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:([^@\s/]+)@`), []string{"://"}},
	// go-sql-driver DSN: user:secret@tcp(host)/db, user:secret@unix(...),
	// user:secret@/db.
	{regexp.MustCompile(`(?:^|[\s"'=,(])[^\s:@/"'=,(]*:([^@\s]+)@(?:[a-z]+\(|/)`), []string{"@"}},
	// key=value options: password=..., pwd=..., MYSQL_PWD=..., --password=...
	{regexp.MustCompile(`(?i)(?:password|passwd|pwd)\s*[=:]\s*"?([^\s"&;,]+)`), []string{"pass", "pwd"}},
	// SQL: IDENTIFIED BY 'secret' / IDENTIFIED WITH x BY 'secret'
	{regexp.MustCompile(`(?i)identified\s+(?:with\s+\S+\s+)?by\s+(?:password\s+)?'((?:[^'\\]|\\.)*)'`), []string{"identified"}},
	// mysql -psecret (attached short option)
	{regexp.MustCompile(`(?:^|\s)-p([^\s-][^\s]*)`), []string{"-p"}},
}

// String masks credentials in s: DSN and URL passwords, password=...
// options, IDENTIFIED BY '...', mysql -pSECRET.
func String(s string) string {
	var lower string
	for _, p := range secretPatterns {
		if lower == "" {
			lower = strings.ToLower(s)
		}
		hit := false
		for _, n := range p.need {
			if strings.Contains(lower, n) {
				hit = true
				break
			}
		}
		if hit {
			s = replaceGroup(p.re, s)
			lower = ""
		}
	}
	return s
}

func replaceGroup(re *regexp.Regexp, s string) string {
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	out := make([]byte, 0, len(s))
	last := 0
	for _, m := range idx {
		if m[2] < 0 || s[m[2]:m[3]] == Mask {
			continue
		}
		out = append(out, s[last:m[2]]...)
		out = append(out, Mask...)
		last = m[3]
	}
	out = append(out, s[last:]...)
	return string(out)
}
