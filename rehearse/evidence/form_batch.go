package evidence

import (
	"strconv"
	"strings"
)

// batchRows reads the mysql client's batch output (`mysql -e`, `-B`): a
// tab-separated header, then rows with \t, \n and \\ escaped and NULL for
// NULL. The header again, or a time line, starts the next capture. A row
// with fewer fields than the header (a file cut short) is a Problem; what
// it has is kept.
func (r *reader) batchRows(name, text string) []section {
	var secs []section
	var cur *section
	var header string
	var pending *stamp
	pendingSrc := ""
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		ln := i + 1
		if strings.TrimSpace(l) == "" {
			continue
		}
		if !strings.Contains(l, "\t") {
			if st, ok := timeLine(l, r.ev.Zone); ok {
				if cur != nil {
					secs = append(secs, *cur)
					cur = nil
				}
				pending, pendingSrc = &st, "time line "+strconv.Itoa(ln)
				continue
			}
		}
		if cur == nil || l == header {
			if cur != nil {
				secs = append(secs, *cur)
			}
			header = l
			cur = &section{line: ln}
			if pending != nil {
				cur.at, cur.hasAt, cur.atSource = *pending, true, pendingSrc
				pending = nil
			}
			for _, c := range strings.Split(l, "\t") {
				cur.columns = append(cur.columns, strings.ToLower(strings.TrimSpace(c)))
			}
			continue
		}
		fields := strings.Split(l, "\t")
		rec := newRecord(ln)
		for j, f := range fields {
			if j >= len(cur.columns) {
				r.problem(name, ln, "%d fields where the header at line %d has %d: the extra ones are ignored", len(fields), cur.line, len(cur.columns))
				break
			}
			rec.set(cur.columns[j], unescapeBatch(f), f == "NULL")
		}
		if len(fields) < len(cur.columns) {
			r.problem(name, ln, "row cut short: %d of %d fields (the file was truncated?)", len(fields), len(cur.columns))
		}
		cur.rows = append(cur.rows, rec)
	}
	if cur != nil {
		secs = append(secs, *cur)
	}
	return secs
}

// unescapeBatch undoes the client's batch escapes.
func unescapeBatch(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '0':
			b.WriteByte(0)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
