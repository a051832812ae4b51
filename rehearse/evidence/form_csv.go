package evidence

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

func splitCSVHeader(line string) []string {
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	if err != nil {
		return nil
	}
	return rec
}

// csvRows reads a CSV export (a header row, then rows; an empty field and
// NULL/\N are NULL). A capture-time column (captured_at, sample_time, ts,
// ...) splits the rows into captures. A line the CSV reader rejects (a
// quote the file cuts off) is a Problem; the rows before it are kept.
func (r *reader) csvRows(name, text string) []section {
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		r.problem(name, 1, "CSV header: %v", err)
		return nil
	}
	sec := section{line: 1}
	for _, c := range header {
		sec.columns = append(sec.columns, strings.ToLower(strings.TrimSpace(c)))
	}
	for {
		line, _ := cr.FieldPos(0)
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				r.problem(name, pe.StartLine, "not read as CSV (%v): the rows before it are used", pe.Err)
			} else {
				r.problem(name, line, "%v", err)
			}
			break
		}
		line, _ = cr.FieldPos(0)
		rec := newRecord(line)
		for j, f := range fields {
			if j >= len(sec.columns) {
				r.problem(name, line, "%d fields where the header has %d: the extra ones are ignored", len(fields), len(sec.columns))
				break
			}
			rec.set(sec.columns[j], f, f == "NULL" || f == `\N`)
		}
		if len(fields) < len(sec.columns) {
			r.problem(name, line, "row cut short: %d of %d fields (the file was truncated?)", len(fields), len(sec.columns))
		}
		sec.rows = append(sec.rows, rec)
	}
	return r.splitByCaptureTime(name, sec)
}
