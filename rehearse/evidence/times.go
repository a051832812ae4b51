package evidence

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Layouts of the times evidence files write, with a date.
var datedLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 -07:00",
	"2006-01-02 15:04:05.999999999 MST",
	"2006/01/02 15:04:05.999999999",
	"2006-01-02 15:04:05,999",
	"Mon Jan _2 15:04:05 MST 2006", // date(1)
	"Mon Jan _2 15:04:05 2006",
	"Mon _2 Jan 2006 15:04:05 MST",
}

// Layouts of a time of day alone.
var timeLayouts = []string{"15:04:05.999999999", "15:04:05,999", "15:04:05"}

// stamp is a time read from evidence.
type stamp struct {
	t       time.Time
	hasDate bool
}

// parseStamp reads s (the whole string) as a time. Times without an offset
// are read in zone. A time of day alone has hasDate false and the date
// 0000-01-01.
func parseStamp(s string, zone *time.Location) (stamp, bool) {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "[]"))
	if s == "" {
		return stamp{}, false
	}
	for _, l := range datedLayouts {
		if t, err := time.ParseInLocation(l, s, zone); err == nil {
			return stamp{t: t, hasDate: true}, true
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, zone); err == nil {
			return stamp{t: t}, true
		}
	}
	return stamp{}, false
}

// leadingStamp reads a time at the start of a log line: "2024/01/15
// 12:00:01 ...", "[2024-01-15 12:00:01] ...", "2024-01-15T12:00:01.123Z
// INFO ...", "12:00:01 ...". rest is the line after it.
var leadingStampRe = regexp.MustCompile(`^\[?((?:\d{4}[-/]\d\d[-/]\d\d[ T])?\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)\]?\s*`)

func leadingStamp(line string, zone *time.Location) (stamp, string, bool) {
	m := leadingStampRe.FindStringSubmatchIndex(line)
	if m == nil {
		return stamp{}, line, false
	}
	st, ok := parseStamp(line[m[2]:m[3]], zone)
	if !ok {
		return stamp{}, line, false
	}
	return st, line[m[1]:], true
}

// tsLine is pt-stalk's "TS 1765121122.123456789 2026-12-07 15:25:22".
var tsLine = regexp.MustCompile(`^TS (\d+)(?:\.(\d+))?(?: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d))?`)

// parseTS reads a TS line: the epoch, and the local time it also shows.
func parseTS(line string) (epoch time.Time, local string, ok bool) {
	m := tsLine.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return time.Time{}, "", false
	}
	sec, _ := strconv.ParseInt(m[1], 10, 64)
	var nsec int64
	if m[2] != "" {
		frac := (m[2] + "000000000")[:9]
		nsec, _ = strconv.ParseInt(frac, 10, 64)
	}
	return time.Unix(sec, nsec), m[3], true
}

// timeLine reads a line that is only a time (a cron's `date` before each
// capture, pt-stalk's TS line, "# Time: ..."): the time of the capture
// that follows.
func timeLine(line string, zone *time.Location) (stamp, bool) {
	s := strings.TrimSpace(line)
	if t, _, ok := parseTS(s); ok {
		return stamp{t: t, hasDate: true}, true
	}
	for _, p := range []string{"# Time:", "# time:", "Time:", "time:", "#", "--"} {
		if strings.HasPrefix(s, p) {
			s = strings.TrimSpace(strings.TrimPrefix(s, p))
			break
		}
	}
	return parseStamp(s, zone)
}

// placeUndated puts times of day without a date (deploy log lines,
// captures) on a date: the one calendar date the rest of the evidence
// shows. With none or several, they stay relative to their own file (the
// Problem says so). A time earlier than the line before it in the same
// file is taken as the next day (past midnight), with a Problem.
func (r *reader) placeUndated() {
	ev := r.ev
	dates := map[string]time.Time{}
	add := func(t time.Time) {
		if !t.IsZero() && t.Year() > 1 {
			d := t.In(ev.Zone)
			dates[d.Format("2006-01-02")] = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, ev.Zone)
		}
	}
	for _, s := range ev.Samples {
		add(s.At)
	}
	for _, s := range ev.InnoDB {
		add(s.At)
	}
	for _, d := range ev.Deploy {
		if d.HasDate {
			add(d.At)
		}
	}
	var day time.Time
	var keys []string
	for k := range dates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 1 {
		day = dates[keys[0]]
	}
	why := func() string {
		if len(keys) == 0 {
			return "no other evidence shows a date"
		}
		return "the other evidence shows several dates (" + strings.Join(keys, ", ") + ")"
	}
	// Deploy events, file by file in line order.
	byFile := map[string][]int{}
	for i, d := range ev.Deploy {
		if !d.HasDate && !d.At.IsZero() {
			byFile[d.File] = append(byFile[d.File], i)
		}
	}
	for _, file := range sortedKeys(byFile) {
		idx := byFile[file]
		if day.IsZero() {
			r.problem(file, ev.Deploy[idx[0]].Line, "%d times without a date (first %s): %s, so they are used only relative to each other", len(idx), ev.Deploy[idx[0]].At.Format("15:04:05"), why())
			continue
		}
		r.problem(file, ev.Deploy[idx[0]].Line, "%d times without a date (first %s): placed on %s, the one date the other evidence shows", len(idx), ev.Deploy[idx[0]].At.Format("15:04:05"), day.Format("2006-01-02"))
		offset := 0
		var prev time.Time
		for _, i := range idx {
			d := &ev.Deploy[i]
			tod := d.At
			t := time.Date(day.Year(), day.Month(), day.Day()+offset, tod.Hour(), tod.Minute(), tod.Second(), tod.Nanosecond(), ev.Zone)
			if !prev.IsZero() && t.Before(prev) {
				offset++
				t = t.AddDate(0, 0, 1)
				r.problem(file, d.Line, "%s is earlier than the line before: taken as the next day (%s)", tod.Format("15:04:05"), t.Format("2006-01-02"))
			}
			prev = t
			d.At = t
			d.HasDate = true
		}
	}
	for i := range ev.Samples {
		s := &ev.Samples[i]
		if !s.At.IsZero() && s.At.Year() == 0 {
			if day.IsZero() {
				r.problem(s.File, s.Line, "capture time %s has no date: %s, so this capture is used for its own figures only", s.At.Format("15:04:05"), why())
				s.At = time.Time{}
				continue
			}
			s.At = time.Date(day.Year(), day.Month(), day.Day(), s.At.Hour(), s.At.Minute(), s.At.Second(), s.At.Nanosecond(), ev.Zone)
			s.AtSource += " (no date: placed on " + day.Format("2006-01-02") + ")"
			r.problem(s.File, s.Line, "capture time has no date: placed on %s, the one date the other evidence shows", day.Format("2006-01-02"))
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fileNameTime finds a capture time in a file name: pt-stalk's
// 2024_01_15_12_00_01 prefix, 2024-01-15T12-00-01, 20240115-120001, ...
var fileNameTimeRe = regexp.MustCompile(`(\d{4})[-_]?(\d\d)[-_]?(\d\d)[-_T ]?(\d\d)[-_:]?(\d\d)[-_:]?(\d\d)`)

func fileNameTime(name string, zone *time.Location) (time.Time, bool) {
	m := fileNameTimeRe.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}, false
	}
	n := make([]int, 6)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 || n[3] > 23 || n[4] > 59 || n[5] > 59 {
		return time.Time{}, false
	}
	return time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, zone), true
}

// seconds reads "12", "12.5", "2012.974" as a float.
func seconds(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}
