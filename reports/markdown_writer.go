package reports

import (
	"io"
	"strings"
	"unicode/utf8"
)

// md builds Markdown within a size budget (in characters, as GitHub
// counts them). must text is always written (it is small and structural);
// try text is written only when it fits in what remains after a reserve
// kept for the must text still to come.
type md struct {
	b       strings.Builder
	n       int // characters in b
	budget  int
	reserve int
	opts    Options
}

func newMD(o Options) *md {
	b := o.MaxBytes
	if b <= 0 {
		b = DefaultMarkdownBudget
	}
	return &md{budget: b, reserve: 2_000, opts: o}
}

func (m *md) used() int { return m.n }

func (m *md) must(s string) {
	m.b.WriteString(s)
	m.n += utf8.RuneCountInString(s)
}

// text is must text (named for readability at call sites).
func (m *md) text(s string) { m.must(s) }

// try writes s when it fits and reports whether it did.
func (m *md) try(s string) bool {
	if m.used()+utf8.RuneCountInString(s) > m.budget-m.reserve {
		return false
	}
	m.must(s)
	return true
}

// fold writes a <details> block whose body fill writes; the block is left
// out when not even its summary fits (then it returns false).
func (m *md) fold(summary string, fill func(*md)) bool {
	open := "<details><summary>" + htmlText(summary) + "</summary>\n\n"
	closing := "\n</details>\n\n"
	if !m.try(open) {
		return false
	}
	sub := &md{budget: m.budget - m.used() - len(closing), reserve: m.reserve, opts: m.opts}
	fill(sub)
	m.must(sub.b.String())
	m.must(closing)
	return true
}

func (m *md) flush(w io.Writer) error {
	_, err := io.WriteString(w, m.b.String())
	return err
}

// mdText escapes text for Markdown prose: HTML-significant characters and
// the characters that would start emphasis or links by accident.
func mdText(s string) string {
	r := strings.NewReplacer(
		"&", "&amp;", "<", "&lt;", ">", "&gt;",
		"*", "\\*", "`", "\\`", "[", "\\[", "]", "\\]", "|", "\\|",
		"\r\n", " ", "\n", " ",
	)
	return r.Replace(s)
}

// mdCell escapes text for a table cell.
func mdCell(s string) string { return mdText(s) }

// mdCode makes s safe inside a single-backtick code span in a table cell.
func mdCode(s string) string {
	s = oneLine(s)
	s = strings.ReplaceAll(s, "`", "'")
	return strings.ReplaceAll(s, "|", "\\|")
}

// fence wraps s in a fenced code block longer than any backtick run in s.
func fence(s, lang string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", max(3, longest+1))
	return f + lang + "\n" + strings.TrimRight(s, "\n") + "\n" + f
}

// htmlText escapes text placed inside HTML elements in Markdown.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
