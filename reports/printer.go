package reports

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ANSI styles for the terminal table.
const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	reset  = "\x1b[0m"
)

// printer writes lines for a terminal: optional colours, wrapping to a
// width, and the first write error kept (later writes become no-ops).
type printer struct {
	w     io.Writer
	color bool
	width int
	err   error
}

func (p *printer) Write(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.w.Write(b)
	p.err = err
	return n, err
}

func (p *printer) line(format string, args ...any) {
	fmt.Fprintf(p, format+"\n", args...)
}

func (p *printer) blank() { p.line("") }

func (p *printer) heading(s string) {
	p.blank()
	p.line("%s", p.paint(bold, s))
}

// wrapped writes lead followed by text wrapped at the printer's width,
// continuation lines indented to the lead's width.
func (p *printer) wrapped(lead, text string) {
	indent := strings.Repeat(" ", visibleLen(lead))
	avail := p.width - visibleLen(lead)
	if avail < 30 {
		avail = 30
	}
	for i, l := range wrapWords(text, avail) {
		if i == 0 {
			p.line("%s%s", lead, l)
		} else {
			p.line("%s%s", indent, l)
		}
	}
}

func (p *printer) paint(style, s string) string {
	if !p.color || s == "" {
		return s
	}
	return style + s + reset
}

func (p *printer) verdict(v, reason string) {
	word := verdictWord(v)
	style := red
	if word == "PASS" {
		style = green
	}
	if reason != "" {
		p.wrapped(p.paint(bold+style, word)+"  ", reason)
	} else {
		p.line("%s", p.paint(bold+style, word))
	}
}

// paintVerdict colours rollback and recovery words.
func (p *printer) paintVerdict(v string) string {
	switch v {
	case "restores", "yes", "ok":
		return p.paint(green, v)
	case "differences", "data_lost", "irreversible":
		return p.paint(yellow, v)
	case "failed", "no":
		return p.paint(red, v)
	}
	return v
}

func (p *printer) paintSeverity(s string) string {
	switch s {
	case "error":
		return p.paint(red, "error  ")
	case "warning":
		return p.paint(yellow, "warning")
	}
	return fmt.Sprintf("%-7s", s)
}

// visibleLen is the width of s on a terminal, ignoring ANSI sequences.
func visibleLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			j := strings.IndexByte(s[i:], 'm')
			if j < 0 {
				break
			}
			i += j + 1
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}

// wrapWords breaks text into lines of at most width runes, at spaces; a
// word longer than width stands alone on its line.
func wrapWords(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	curLen := 0
	for _, word := range strings.Fields(text) {
		wl := utf8.RuneCountInString(word)
		if curLen > 0 && curLen+1+wl > width {
			lines = append(lines, cur.String())
			cur.Reset()
			curLen = 0
		}
		if curLen > 0 {
			cur.WriteByte(' ')
			curLen++
		}
		cur.WriteString(word)
		curLen += wl
	}
	if curLen > 0 || len(lines) == 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
