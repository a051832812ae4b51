package evidence

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

var borderRe = regexp.MustCompile(`^\+(-+\+)+\s*$`)

func hasTableBorder(text string) bool {
	for _, l := range strings.SplitN(text, "\n", 50) {
		if borderRe.MatchString(l) {
			return true
		}
	}
	return false
}

// tableRows reads the mysql client's table output: a border, a header, a
// border, rows, a border. Columns are cut at the border's '+' positions (a
// value may hold '|'). Several tables in a file are several captures; a
// time line before a table dates it. A table the file cuts off, or a row
// shorter than its border, is a Problem; the rows read are kept.
func (r *reader) tableRows(name, text string) []section {
	var secs []section
	var cur *section
	var bounds []int // rune offsets of the '+' of the border
	state := 0       // 0 outside, 1 after the top border, 2 after the header, 3 in rows
	var pending *stamp
	pendingSrc := ""
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " ")
		ln := i + 1
		if borderRe.MatchString(l) {
			switch state {
			case 0:
				cur = &section{line: ln}
				if pending != nil {
					cur.at, cur.hasAt, cur.atSource = *pending, true, pendingSrc
					pending = nil
				}
				bounds = borderBounds(l)
				state = 1
			case 1:
				state = 0 // a border right after a border: not a table
			case 2:
				state = 3
			case 3:
				secs = append(secs, *cur)
				cur, state = nil, 0
			}
			continue
		}
		switch state {
		case 0:
			if st, ok := timeLine(l, r.ev.Zone); ok {
				pending, pendingSrc = &st, "time line "+strconv.Itoa(ln)
			}
			continue
		case 1:
			if !strings.HasPrefix(l, "|") {
				state = 0
				continue
			}
			cells, _ := cutRow(l, bounds)
			for _, c := range cells {
				cur.columns = append(cur.columns, strings.ToLower(strings.TrimSpace(c)))
			}
			state = 2
			continue
		case 2:
			state = 0
			continue
		}
		// A row. A value with a line break spreads it over several lines:
		// join them until the row is as wide as its border.
		if !strings.HasPrefix(l, "|") {
			r.problem(name, ln, "not a row of the table that starts at line %d: %q", cur.line, clip(l))
			continue
		}
		row := l
		start := ln
		for utf8.RuneCountInString(row) < bounds[len(bounds)-1]+1 && i+1 < len(lines) && !borderRe.MatchString(lines[i+1]) && !strings.HasPrefix(lines[i+1], "| ") {
			i++
			row += "\n" + strings.TrimRight(lines[i], " ")
		}
		cells, complete := cutRow(row, bounds)
		rec := newRecord(start)
		for j, c := range cells {
			if j >= len(cur.columns) {
				break
			}
			v := strings.TrimSpace(c)
			rec.set(cur.columns[j], v, v == "NULL")
		}
		if !complete {
			r.problem(name, start, "row cut short: %d of %d columns read (the file was truncated?)", len(cells), len(cur.columns))
		}
		cur.rows = append(cur.rows, rec)
	}
	if cur != nil && state == 3 {
		r.problem(name, len(lines), "the table that starts at line %d is not closed: the file is cut; its %d rows read are used", cur.line, len(cur.rows))
		secs = append(secs, *cur)
	}
	return secs
}

// borderBounds are the rune offsets of a border's '+'.
func borderBounds(border string) []int {
	var b []int
	i := 0
	for _, c := range border {
		if c == '+' {
			b = append(b, i)
		}
		i++
	}
	return b
}

// cutRow cuts a row at the border's column bounds. complete is false when
// the row ends before its last column.
func cutRow(row string, bounds []int) ([]string, bool) {
	rs := []rune(row) // a line break inside a value is one character, as the client counts it
	var cells []string
	for k := 0; k+1 < len(bounds); k++ {
		from, to := bounds[k]+1, bounds[k+1]
		if from >= len(rs) {
			return cells, false
		}
		if to > len(rs) {
			cells = append(cells, string(rs[from:]))
			return cells, false
		}
		cells = append(cells, string(rs[from:to]))
	}
	return cells, true
}
