package capacity

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// Online-DDL row log (innodb_online_alter_log_max_size): while an online
// index build or rebuild runs, every concurrent write to the table is
// logged; when the log outgrows the limit the ALTER fails with error 1799
// at its end and all its work is lost. Its size is the table's write rate
// × the bytes logged per write × the statement's duration, so it grows with
// the duration, not directly with rows.

// rowLogHeader is what InnoDB adds to each logged entry: the operation
// byte, the 6-byte transaction id of an insert and the extra-size byte(s),
// plus the null bitmap and variable-length header of the temp record.
const rowLogHeader = 10

// onlineLog predicts the row log at production's write rate for an online
// statement and records it in cs.Predicted.
func (a *analysis) onlineLog(s *series, cs *result.CapacityStatement, ok []point) {
	// An index build logs the rows that enter or leave the table (inserts,
	// deletes; an update only when it changes the new index's columns,
	// which the rehearsal's updates do not); a rebuild logs every write.
	indexBuild := has(opClasses(s.sp), plan.OpAddIndex, plan.OpAddUnique)
	logged := func(p point) int64 {
		if indexBuild {
			return p.rowWrites
		}
		return p.writes
	}
	// MariaDB shows the log in units of 0.01% of the limit: fewer than
	// ten units is too coarse to divide by the rows.
	limit, _ := logLimit(a.settings)
	var writes int64
	var secs float64
	var perOp float64
	for _, p := range ok {
		writes += logged(p)
		secs += p.dur
		if p.onlineRows > 0 && p.onlineLog >= limit/1000 {
			perOp = math.Max(perOp, float64(p.onlineLog)/float64(p.onlineRows))
		}
	}
	measured := perOp > 0
	if !measured {
		perOp = a.entryBytes(s)
	}
	for i, p := range s.points {
		if cs.Points[i].OnlineLogBytes == 0 {
			cs.Points[i].OnlineLogBytes = int64(perOp * float64(logged(p)))
		}
	}
	if secs <= 0 || writes == 0 {
		cs.Note = strings.TrimSpace(cs.Note + " The load wrote nothing to " + s.table + " while the statement ran, so the online log at production's write rate cannot be predicted (give --load).")
		return
	}
	rate := float64(writes) / secs // writes/s to the table at the rehearsal's load
	if a.in.ProdWriteRate > 0 && a.loadRate > 0 {
		rate *= a.in.ProdWriteRate / a.loadRate
	}
	pr := &cs.Predicted
	pr.OnlineLogRate = rate * perOp
	pr.OnlineLogBytes = int64(pr.OnlineLogRate * pr.DurationS)
	spread := 1.0
	if !measured {
		spread = 1.5 // bytes per write estimated from the schema, not measured
	}
	pr.OnlineLogHi = int64(pr.OnlineLogRate * pr.DurationHi * spread)
	model := "rate"
	cs.Fits = append(cs.Fits, result.MetricFit{Metric: "online_log", Model: model, R2: cs.R2,
		BandPct: pct(float64(pr.OnlineLogHi)/math.Max(float64(pr.OnlineLogBytes), 1) - 1)})
}

var indexColsRe = regexp.MustCompile(`(?is)(?:INDEX|KEY)\s+(?:IF\s+NOT\s+EXISTS\s+)?` + "`?[\\w$]*`?" + `\s*(?:USING\s+\w+\s*)?(?:ON\s+[\w.` + "`" + `]+\s*)?\(([^)]*)\)`)

// entryBytes estimates the bytes logged per write: for an index build the
// new index's key plus the primary key, for a rebuild the whole row.
func (a *analysis) entryBytes(s *series) float64 {
	t := a.table(s.schema, s.table)
	if t == nil {
		return 64 + rowLogHeader
	}
	pk := 0
	for _, ix := range t.Indexes {
		if ix.Primary {
			for _, c := range ix.Columns {
				pk += colBytes(col(t, c.Name))
			}
		}
	}
	classes := opClasses(s.sp)
	if has(classes, plan.OpAddIndex, plan.OpAddUnique) {
		if m := indexColsRe.FindStringSubmatch(s.sql); m != nil {
			key := 0
			for _, part := range strings.Split(m[1], ",") {
				name := strings.Trim(strings.Fields(strings.TrimSpace(part) + " x")[0], "`")
				if i := strings.IndexByte(name, '('); i > 0 {
					name = name[:i]
				}
				key += colBytes(col(t, name))
			}
			return float64(key + pk + rowLogHeader)
		}
	}
	row := t.Stats.AvgRowLength
	if row <= 0 {
		for i := range t.Columns {
			row += int64(colBytes(&t.Columns[i]))
		}
	}
	return float64(row) + rowLogHeader
}

func col(t *snapshot.Table, name string) *snapshot.Column {
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return &t.Columns[i]
		}
	}
	return nil
}

// colBytes is a column's stored size, roughly: exact for fixed-size types,
// the declared length for CHAR, half of it for VARCHAR (rows seldom fill
// them), a 20-byte prefix for TEXT/BLOB.
func colBytes(c *snapshot.Column) int {
	if c == nil {
		return 8
	}
	n := 0
	if c.CharMaxLength != nil {
		n = int(*c.CharMaxLength)
	}
	switch strings.ToLower(c.DataType) {
	case "tinyint", "enum", "year":
		return 1
	case "smallint", "set":
		return 2
	case "mediumint", "date", "time":
		return 3
	case "int", "integer", "float", "timestamp":
		return 4
	case "bigint", "double", "datetime":
		return 8
	case "decimal", "numeric":
		if c.NumericPrecision != nil {
			return int(*c.NumericPrecision)/2 + 1
		}
		return 8
	case "char", "binary":
		return max(n, 1)
	case "varchar", "varbinary":
		return max(n/2, 1) + 2
	case "text", "blob", "mediumtext", "mediumblob", "longtext", "longblob", "tinytext", "tinyblob", "json":
		return 20
	}
	return 8
}

// logLimit is innodb_online_alter_log_max_size from the snapshot's
// settings (the server default, 128 MiB, when not captured). InnoDB writes
// the log in innodb_sort_buffer_size blocks and refuses the block that
// would reach the limit, so the ALTER fails once about limit bytes are
// logged.
func logLimit(settings map[string]string) (limit int64, captured bool) {
	limit = 128 << 20
	if v, err := strconv.ParseInt(settings["innodb_online_alter_log_max_size"], 10, 64); err == nil && v > 0 {
		limit, captured = v, true
	}
	return limit, captured
}
