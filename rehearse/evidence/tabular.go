package evidence

import (
	"path/filepath"
	"strings"
	"time"
)

// record is one row of a tabular capture: column (lower case) → value.
type record struct {
	line   int
	fields map[string]string
	null   map[string]bool
}

func newRecord(line int) record {
	return record{line: line, fields: map[string]string{}, null: map[string]bool{}}
}

func (r record) set(col, val string, isNull bool) {
	col = strings.ToLower(strings.TrimSpace(col))
	r.fields[col] = val
	if isNull {
		r.null[col] = true
	}
}

func (r record) has(col string) bool { _, ok := r.fields[col]; return ok }

// section is one capture in a file: a header and its rows, and the time
// written before it, if any.
type section struct {
	line     int
	at       stamp
	hasAt    bool
	atSource string
	columns  []string // lower case, as written
	rows     []record
}

// tabular reads text in one of the row forms the mysql client, a script or
// an export tool writes: the client's table (+----+), its vertical \G
// output, its batch (tab-separated) output, CSV or JSON. ok is false when
// the text is none of them.
func (r *reader) tabular(name, text string) ([]section, string, bool) {
	trimmed := strings.TrimSpace(text)
	switch {
	case strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") && (strings.HasPrefix(strings.TrimSpace(trimmed[1:]), "{") || strings.HasPrefix(strings.TrimSpace(trimmed[1:]), "]")):
		// JSON (a log line starting with "[2026-12-07 ...]" is not)
		return r.jsonRows(name, text), "json", true
	case strings.Contains(text, ". row ***"):
		return r.verticalRows(name, text), "vertical", true
	case hasTableBorder(text):
		return r.tableRows(name, text), "table", true
	}
	first := firstDataLine(text, r.ev.Zone)
	switch {
	case strings.Contains(first, "\t") && knownHeader(strings.Split(first, "\t")):
		return r.batchRows(name, text), "batch", true
	case (strings.EqualFold(filepath.Ext(name), ".csv") || strings.Count(first, ",") >= 2) && knownHeader(splitCSVHeader(first)):
		return r.csvRows(name, text), "csv", true
	}
	return nil, "", false
}

// firstDataLine is the first line that is neither empty nor a time line.
func firstDataLine(text string, zone *time.Location) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if _, ok := timeLine(l, zone); ok {
			continue
		}
		return l
	}
	return ""
}

// knownHeader tells whether a header names columns of a processlist or a
// digest export (at least two it knows).
func knownHeader(cols []string) bool {
	n := 0
	for _, c := range cols {
		c = strings.ToLower(strings.Trim(strings.TrimSpace(c), `"`))
		if processlistColumns[c] != "" || digestColumns[c] != "" {
			n++
		}
	}
	return n >= 2
}

// records turns sections into processlist samples or digests, by their
// columns, and returns the kind.
func (r *reader) records(name, form string, secs []section) string {
	cols := map[string]bool{}
	for _, s := range secs {
		for _, c := range s.columns {
			cols[c] = true
		}
		for _, row := range s.rows {
			for c := range row.fields {
				cols[c] = true
			}
		}
	}
	switch {
	case cols["digest_text"] || cols["count_star"]:
		r.digests(name, form, secs)
		return "digests"
	case (cols["id"] || cols["processlist_id"]) && (cols["state"] || cols["command"] || cols["info"] || cols["processlist_state"] || cols["processlist_command"]):
		r.processlist(name, form, secs)
		return "processlist"
	}
	var names []string
	for _, s := range secs {
		names = s.columns
		break
	}
	r.problem(name, 0, "rows with columns %s are neither a processlist (Id, State, Info, ...) nor a digest export (DIGEST_TEXT, COUNT_STAR, ...): not read", strings.Join(names, ", "))
	return "unknown"
}
