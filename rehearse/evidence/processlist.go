package evidence

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// processlistColumns maps the column names of SHOW FULL PROCESSLIST,
// information_schema.PROCESSLIST, performance_schema.processlist and
// performance_schema.threads (lower case) to the field they fill; "-" are
// columns known and not needed.
var processlistColumns = map[string]string{
	"id": "id", "processlist_id": "id",
	"user": "user", "processlist_user": "user",
	"host": "host", "processlist_host": "host",
	"db": "db", "processlist_db": "db",
	"command": "command", "processlist_command": "command",
	"time": "time", "processlist_time": "time",
	"state": "state", "processlist_state": "state",
	"info": "info", "processlist_info": "info",
	"time_ms": "time_ms",
	// known, not needed
	"progress": "-", "stage": "-", "max_stage": "-", "memory_used": "-", "max_memory_used": "-",
	"examined_rows": "-", "sent_rows": "-", "query_id": "-", "info_binary": "-", "tid": "-",
	"execution_engine": "-", "rows_sent": "-", "rows_examined": "-",
	"thread_id": "-", "name": "-", "type": "-", "parent_thread_id": "-", "role": "-",
	"instrumented": "-", "history": "-", "connection_type": "-", "thread_os_id": "-",
	"resource_group": "-", "controlled_memory": "-", "max_controlled_memory": "-",
	"total_memory": "-", "max_total_memory": "-", "telemetry_active": "-",
	"processlist_time_ms": "time_ms",
}

// captureTimeColumns name a column holding the capture's time in an export.
var captureTimeColumns = []string{"captured_at", "capture_time", "sample_time", "collected_at", "snapshot_time", "ts", "timestamp", "now"}

func isCaptureTimeColumn(c string) bool {
	for _, x := range captureTimeColumns {
		if c == x {
			return true
		}
	}
	return false
}

// processlist turns sections of rows into samples: one per capture.
func (r *reader) processlist(name, form string, secs []section) {
	var unknown []string
	seenUnknown := map[string]bool{}
	for _, s := range secs {
		for _, c := range s.columns {
			if processlistColumns[c] == "" && !isCaptureTimeColumn(c) && !seenUnknown[c] {
				seenUnknown[c] = true
				unknown = append(unknown, c)
			}
		}
	}
	if len(unknown) > 0 {
		line := 1
		if len(secs) > 0 {
			line = secs[0].line
		}
		sort.Strings(unknown)
		r.problem(name, line, "unknown column(s) %s: ignored", strings.Join(unknown, ", "))
	}
	for _, s := range secs {
		sample := Sample{File: name, Line: s.line, Form: form}
		if s.hasAt {
			sample.At, sample.AtSource = s.at.t, s.atSource
			if !s.at.hasDate {
				sample.At = time.Date(0, 1, 1, s.at.t.Hour(), s.at.t.Minute(), s.at.t.Second(), s.at.t.Nanosecond(), r.ev.Zone)
			}
		} else if t, ok := fileNameTime(name, r.ev.Zone); ok && len(secs) == 1 {
			sample.At, sample.AtSource = t, "file name"
			r.problem(name, s.line, "no capture time in the file: taken from its name (%s, whole seconds)", t.Format("2006-01-02 15:04:05"))
		} else {
			r.problem(name, s.line, "no capture time (no time line before it, no capture-time column, none in the file name): this capture is used for its own figures only (who waited behind whom, for how long)")
		}
		for _, row := range s.rows {
			sess, ok := r.session(name, row)
			if ok {
				sample.Sessions = append(sample.Sessions, sess)
			}
		}
		r.ev.Samples = append(r.ev.Samples, sample)
	}
}

// session reads one processlist row.
func (r *reader) session(name string, row record) (Session, bool) {
	s := Session{Line: row.line}
	get := func(field string) (string, bool, bool) {
		for col, f := range processlistColumns {
			if f != field {
				continue
			}
			if v, ok := row.fields[col]; ok {
				return v, row.null[col], true
			}
		}
		return "", false, false
	}
	id, null, ok := get("id")
	if !ok || null {
		if !ok {
			r.problem(name, row.line, "row without an Id: ignored")
		}
		return s, false // a background thread of performance_schema.threads
	}
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil {
		r.problem(name, row.line, "Id %q is not a number: row ignored", id)
		return s, false
	}
	s.ID = n
	str := func(field string) string {
		v, null, _ := get(field)
		if null {
			return ""
		}
		return v
	}
	s.User, s.Host, s.DB, s.Command, s.State, s.Info = str("user"), str("host"), str("db"), str("command"), str("state"), str("info")
	if v, null, ok := get("time_ms"); ok && !null && v != "" {
		if f, err := seconds(v); err == nil {
			s.Time, s.Precise, s.HasTime = f/1000, true, true
		}
	}
	if !s.HasTime {
		if v, null, ok := get("time"); ok && !null && v != "" {
			f, err := seconds(v)
			if err != nil {
				r.problem(name, row.line, "session %d: Time %s: the session's time is unknown", s.ID, err)
			} else {
				s.Time, s.HasTime = f, true
			}
		} else if !ok {
			r.problem(name, row.line, "session %d has no Time column: how long it waited is unknown", s.ID)
		}
	}
	var missing []string
	for _, f := range []string{"command", "state", "info"} {
		if _, _, ok := get(f); !ok {
			missing = append(missing, f)
		}
	}
	if len(missing) == 3 {
		r.problem(name, row.line, "session %d: no command, state or statement: ignored", s.ID)
		return s, false
	}
	return s, true
}

// splitByCaptureTime splits an export's rows into captures by its
// capture-time column, when it has one.
func (r *reader) splitByCaptureTime(name string, s section) []section {
	col := ""
	for _, c := range captureTimeColumns {
		if contains(s.columns, c) {
			col = c
			break
		}
	}
	if col == "" {
		return []section{s}
	}
	var out []section
	idx := map[string]int{}
	for _, row := range s.rows {
		v := row.fields[col]
		i, ok := idx[v]
		if !ok {
			sec := section{line: row.line, columns: s.columns}
			if st, ok := parseStamp(v, r.ev.Zone); ok {
				sec.at, sec.hasAt, sec.atSource = st, true, "column "+col
			} else if _, _, ok := parseTS("TS " + v); ok && v != "" {
				t, _, _ := parseTS("TS " + v)
				sec.at, sec.hasAt, sec.atSource = stamp{t: t, hasDate: true}, true, "column "+col+" (epoch)"
			} else {
				r.problem(name, row.line, "%s %q is not a time", col, v)
			}
			i = len(out)
			idx[v] = i
			out = append(out, sec)
		}
		out[i].rows = append(out[i].rows, row)
	}
	return out
}

// SessionAt is a session as one sample shows it.
type SessionAt struct {
	Sample  *Sample
	Session Session
}

func (s Session) String() string {
	return fmt.Sprintf("session %d (%s, %s, %gs): %s", s.ID, s.Command, s.State, s.Time, s.Info)
}
