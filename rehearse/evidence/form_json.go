package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// jsonRows reads rows exported as JSON: an array of objects (what
// JSON_ARRAYAGG(JSON_OBJECT(...)) or an export tool writes), an object
// holding such an array ("rows", "data", "processlist", ...), or one
// object per line. Keys are column names in any case. A capture-time key
// (captured_at, ts, ...) splits the rows into captures. Where the JSON
// breaks off (a cut file), the rows before are kept and a Problem says
// where.
func (r *reader) jsonRows(name, text string) []section {
	sec := section{line: 1}
	add := func(obj map[string]any, off int64) {
		rec := newRecord(lineAt(text, off))
		for k, v := range obj {
			switch x := v.(type) {
			case nil:
				rec.set(k, "", true)
			case string:
				rec.set(k, x, false)
			case json.Number:
				rec.set(k, x.String(), false)
			case bool:
				rec.set(k, fmt.Sprint(x), false)
			default:
				b, _ := json.Marshal(x)
				rec.set(k, string(b), false)
			}
		}
		sec.rows = append(sec.rows, rec)
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	trimmed := strings.TrimSpace(text)
	if strings.HasPrefix(trimmed, "{") && !looksLikeJSONLines(trimmed) {
		// An object: find the array of rows inside.
		var obj map[string]json.RawMessage
		if err := dec.Decode(&obj); err != nil {
			r.problem(name, lineAt(text, dec.InputOffset()), "not read as JSON: %v", err)
			return nil
		}
		for _, k := range []string{"rows", "data", "processlist", "threads", "results", "items"} {
			for key, raw := range obj {
				if strings.EqualFold(key, k) {
					return r.jsonRows(name, string(raw))
				}
			}
		}
		m := map[string]any{}
		d2 := json.NewDecoder(bytes.NewReader(mustJSON(obj)))
		d2.UseNumber()
		_ = d2.Decode(&m)
		add(m, 0)
		return r.splitByCaptureTime(name, finishColumns(sec))
	}
	if strings.HasPrefix(trimmed, "[") {
		if _, err := dec.Token(); err != nil {
			r.problem(name, 1, "not read as JSON: %v", err)
			return nil
		}
		for dec.More() {
			off := dec.InputOffset()
			var obj map[string]any
			if err := dec.Decode(&obj); err != nil {
				r.problem(name, lineAt(text, off), "JSON breaks off here (%v): the %d rows before it are used", err, len(sec.rows))
				return r.splitByCaptureTime(name, finishColumns(sec))
			}
			add(obj, off)
		}
		return r.splitByCaptureTime(name, finishColumns(sec))
	}
	// One object per line.
	for i, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		d := json.NewDecoder(strings.NewReader(l))
		d.UseNumber()
		var obj map[string]any
		if err := d.Decode(&obj); err != nil {
			r.problem(name, i+1, "not a JSON object: %v", err)
			continue
		}
		add(obj, int64(strings.Index(text, l)))
	}
	return r.splitByCaptureTime(name, finishColumns(sec))
}

func looksLikeJSONLines(s string) bool {
	first, _, _ := strings.Cut(s, "\n")
	var m map[string]any
	return json.Unmarshal([]byte(first), &m) == nil && strings.Contains(s, "\n{")
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

// finishColumns lists the columns the rows have (JSON has no header).
func finishColumns(s section) section {
	defer sort.Strings(s.columns)
	seen := map[string]bool{}
	for _, rec := range s.rows {
		for c := range rec.fields {
			if !seen[c] {
				seen[c] = true
				s.columns = append(s.columns, c)
			}
		}
	}
	return s
}

// lineAt is the 1-based line of a byte offset.
func lineAt(text string, off int64) int {
	if off > int64(len(text)) {
		off = int64(len(text))
	}
	return strings.Count(text[:off], "\n") + 1
}
