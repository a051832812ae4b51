package evidence

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	rowHeaderRe = regexp.MustCompile(`^\*+ (\d+)\. row \*+\s*$`)
	fieldRe     = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*): ?(.*)$`)
	rowsInSetRe = regexp.MustCompile(`^(\d+ rows? in set|Empty set)`)
)

// verticalRows reads the mysql client's \G output ("*** 1. row ***" then
// "  Column: value" lines), several captures in a row: a "1. row" or a
// time line starts the next one. A value spanning lines (a statement with
// line breaks) continues until the next column of the row.
func (r *reader) verticalRows(name, text string) []section {
	var secs []section
	var cur *section
	var rec *record
	var last string // the column the current value belongs to
	var pending *stamp
	pendingSrc := ""
	known := map[string]bool{} // columns of the section's first row
	flush := func() {
		if rec != nil && cur != nil {
			cur.rows = append(cur.rows, *rec)
		}
		rec = nil
	}
	closeSec := func() {
		flush()
		if cur != nil {
			secs = append(secs, *cur)
		}
		cur = nil
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		ln := i + 1
		if m := rowHeaderRe.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n == 1 || cur == nil {
				closeSec()
				cur = &section{line: ln}
				if pending != nil {
					cur.at, cur.hasAt, cur.atSource = *pending, true, pendingSrc
					pending = nil
				}
				known = map[string]bool{}
			} else {
				flush()
			}
			r0 := newRecord(ln)
			rec = &r0
			last = ""
			continue
		}
		if rec == nil || strings.TrimSpace(l) == "" && last == "" {
			if st, ok := timeLine(l, r.ev.Zone); ok {
				closeSec()
				pending, pendingSrc = &st, "time line "+strconv.Itoa(ln)
				if _, _, ts := parseTS(l); ts {
					pendingSrc = "TS line " + strconv.Itoa(ln)
				}
			}
			continue
		}
		if rowsInSetRe.MatchString(l) {
			closeSec()
			continue
		}
		if m := fieldRe.FindStringSubmatch(l); m != nil && (len(cur.rows) == 0 || known[strings.ToLower(m[1])]) && !(last != "" && rec.has(strings.ToLower(m[1]))) {
			col := strings.ToLower(m[1])
			val := m[2]
			rec.set(col, val, val == "NULL")
			if len(cur.rows) == 0 {
				known[col] = true
				if !contains(cur.columns, col) {
					cur.columns = append(cur.columns, col)
				}
			}
			last = col
			continue
		}
		if st, ok := timeLine(l, r.ev.Zone); ok {
			// pt-stalk's TS line, or a cron's date, between two captures.
			closeSec()
			src := "time line "
			if _, _, ts := parseTS(l); ts {
				src = "TS line "
			}
			pending, pendingSrc = &st, src+strconv.Itoa(ln)
			continue
		}
		if last != "" {
			rec.fields[last] += "\n" + l
			delete(rec.null, last)
			continue
		}
		r.problem(name, ln, "not a column of a \\G row: %q", clip(l))
	}
	closeSec()
	return secs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// clip shortens a line for a message.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
