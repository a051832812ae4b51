package capacity

import (
	"fmt"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/result"
)

// DiskNeedFloor: below this a statement's disk need is not worth a finding.
var DiskNeedFloor int64 = 1 << 20

// findings are one statement's findings.
func (a *analysis) findings(s *series, cs *result.CapacityStatement) []result.Finding {
	var out []result.Finding
	f := func(code, sev, msg, fix string) {
		out = append(out, result.Finding{Severity: sev, Migration: s.version, Statement: s.index,
			Table: s.table, Message: msg, Fix: fix}.Of(code))
	}
	for _, p := range s.points {
		if p.err == "" {
			continue
		}
		msg := fmt.Sprintf("%s#%d failed at scale %g (%s rows): %s", s.version, s.index, p.scale, count(p.rows), p.err)
		fix := ""
		if p.code == 1799 {
			msg += " — the online-DDL log overflowed already at this size"
			fix = "raise innodb_online_alter_log_max_size or run the change with an online schema change tool (gh-ost, pt-online-schema-change)"
		}
		f(codes.CapFailedRun, "error", msg, fix)
	}
	if cs.Model == None {
		f(codes.CapNoPredict, "info", fmt.Sprintf("%s#%d: %s", s.version, s.index, cs.Note), "")
		return out
	}
	pr := cs.Predicted
	id := fmt.Sprintf("%s#%d", s.version, s.index)
	f(codes.CapPrediction, "info", Summary(cs), "")
	if cs.Model != Constant { // a metadata change's disk figures are the load's, not its own
		for _, fd := range DiskHeadroom(id, s.table, pr, a.tableBytes(s), a.in.ProdFreeDisk) {
			fd.Migration, fd.Statement = s.version, s.index
			out = append(out, fd)
		}
	}
	if pr.OnlineLogRate > 0 {
		out = append(out, a.logFinding(id, s, pr)...)
	}
	if cs.Model != Constant {
		if msg := a.poolNote(s, pr); msg != "" {
			f(codes.CapBufferPool, "info", id+": "+msg, "")
		}
	}
	if t := a.in.DeployTimeout; t > 0 {
		switch {
		case pr.DurationS > t.Seconds():
			f(codes.CapTimeout, "error", fmt.Sprintf("%s: predicted %s (%s to %s) at %s rows: longer than the deploy timeout (%s)",
				id, dur(pr.DurationS), dur(pr.DurationLo), dur(pr.DurationHi), count(pr.Rows), t),
				"run it outside the deploy (an online schema change tool, or a separate maintenance step), or raise the timeout")
		case pr.DurationHi > t.Seconds():
			f(codes.CapTimeout, "warning", fmt.Sprintf("%s: predicted %s at %s rows, but the band reaches %s: it may exceed the deploy timeout (%s)",
				id, dur(pr.DurationS), count(pr.Rows), dur(pr.DurationHi), t), "")
		}
	}
	return out
}

// DiskHeadroom judges a statement's predicted disk need against
// production's free disk. It never calls a statement safe when the free
// disk is unknown (free = 0) or below the upper end of the need's band.
func DiskHeadroom(id, table string, pr result.Prediction, tableBytes, free int64) []result.Finding {
	need := max(pr.DiskHi, pr.DiskBytes)
	if need < DiskNeedFloor {
		return nil
	}
	size := ""
	if tableBytes > 0 {
		size = fmt.Sprintf(" (%.1f× the table's %s)", float64(pr.DiskBytes)/float64(tableBytes), mysqlkit.Bytes(tableBytes))
	}
	base := fmt.Sprintf("%s needs ~%s free on disk while it runs%s at %s rows, up to %s", id, mysqlkit.Bytes(pr.DiskBytes), size, count(pr.Rows), mysqlkit.Bytes(need))
	fd := result.Finding{Table: table}.Of(codes.CapDisk)
	switch {
	case free == 0:
		fd.Severity = "warning"
		fd.Message = base + "; production's free disk is unknown, so it cannot be called safe"
		fd.Fix = "give --prod-free-disk (df on production's data volume)"
	case free < need:
		fd.Severity = "error"
		fd.Message = fmt.Sprintf("%s; production has %s free: NOT SAFE — the server can run out of disk mid-change", base, mysqlkit.Bytes(free))
		fd.Fix = fmt.Sprintf("free at least %s on production's data volume (and its tmpdir) first, or use an online schema change tool that copies in chunks", mysqlkit.Bytes(need-free))
	default:
		fd.Severity = "info"
		fd.Message = fmt.Sprintf("%s; production has %s free (%.1f× the upper need): enough", base, mysqlkit.Bytes(free), float64(free)/float64(need))
	}
	return []result.Finding{fd}
}

// logFinding compares the predicted online log with the server's limit.
func (a *analysis) logFinding(id string, s *series, pr result.Prediction) []result.Finding {
	limit, captured := logLimit(a.settings)
	src := "innodb_online_alter_log_max_size"
	if !captured {
		src += " (not in the snapshot: the server default)"
	}
	after := float64(limit) / pr.OnlineLogRate
	advice := nextPow2(max(pr.OnlineLogHi, pr.OnlineLogBytes) * 2)
	fd := result.Finding{Migration: s.version, Statement: s.index, Table: s.table}.Of(codes.CapOnlineLog)
	basis := fmt.Sprintf("%s logged at a load of %.0f ops/s while the statement runs %s", bytesRate(pr.OnlineLogRate), a.prodRate, dur(pr.DurationS))
	switch {
	case pr.OnlineLogBytes >= limit:
		fd.Severity = "error"
		fd.Message = fmt.Sprintf("%s: the online log would overflow at production's write rate after ~%s (predicted %s against %s = %s; %s): the ALTER fails with error 1799 and its work is lost",
			id, dur(after), mysqlkit.Bytes(pr.OnlineLogBytes), src, mysqlkit.Bytes(limit), basis)
		fd.Fix = fmt.Sprintf("raise innodb_online_alter_log_max_size to %s or use an online schema change tool (gh-ost, pt-online-schema-change)", mysqlkit.Bytes(advice))
	case pr.OnlineLogHi >= limit:
		fd.Severity = "warning"
		fd.Message = fmt.Sprintf("%s: the online log may overflow: predicted %s, up to %s, against %s = %s (%s)",
			id, mysqlkit.Bytes(pr.OnlineLogBytes), mysqlkit.Bytes(pr.OnlineLogHi), src, mysqlkit.Bytes(limit), basis)
		fd.Fix = fmt.Sprintf("raise innodb_online_alter_log_max_size to %s", mysqlkit.Bytes(advice))
	default:
		fd.Severity = "info"
		fd.Message = fmt.Sprintf("%s: online log predicted %s (up to %s) of %s = %s (%s); it would overflow only after ~%s",
			id, mysqlkit.Bytes(pr.OnlineLogBytes), mysqlkit.Bytes(pr.OnlineLogHi), src, mysqlkit.Bytes(limit), basis, dur(after))
	}
	return []result.Finding{fd}
}

// totalFindings judge the release as a whole against the deploy timeout.
func (a *analysis) totalFindings(c *result.Capacity) []result.Finding {
	t := a.in.DeployTimeout
	if t <= 0 {
		return nil
	}
	var total, hi float64
	n := 0
	for _, s := range c.Statements {
		if s.Model != None {
			total += s.Predicted.DurationS
			hi += s.Predicted.DurationHi
			n++
		}
	}
	if n < 2 || total <= t.Seconds() {
		return nil
	}
	return []result.Finding{result.Finding{Severity: "error",
		Message: fmt.Sprintf("the release's statements together are predicted to take %s (up to %s): longer than the deploy timeout (%s)", dur(total), dur(hi), t),
		Fix:     "split the release, or run the long statements outside the deploy"}.Of(codes.CapTimeout)}
}

func nextPow2(v int64) int64 {
	p := int64(1 << 20)
	for p < v {
		p <<= 1
	}
	return p
}

func bytesRate(v float64) string { return mysqlkit.Bytes(int64(v)) + "/s" }

func dur(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", s)
	}
	return d.Round(time.Second).String()
}

func count(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fG", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

// Summary is a statement's prediction in one sentence.
func Summary(cs *result.CapacityStatement) string {
	pr := cs.Predicted
	half := (pr.DurationHi - pr.DurationLo) / 2
	msg := fmt.Sprintf("%s#%d predicted at %s rows of %s: %s ± %s, writers stalled up to %s, disk %s (up to %s), redo %s",
		cs.Migration, cs.Statement, count(pr.Rows), cs.Table, dur(pr.DurationS), dur(half), dur(pr.StallHi),
		mysqlkit.Bytes(pr.DiskBytes), mysqlkit.Bytes(max(pr.DiskHi, pr.DiskBytes)), mysqlkit.Bytes(pr.LogBytes))
	if pr.OnlineLogRate > 0 {
		msg += fmt.Sprintf(", online log %s (up to %s)", mysqlkit.Bytes(pr.OnlineLogBytes), mysqlkit.Bytes(pr.OnlineLogHi))
	}
	pts := ""
	for i, p := range cs.Points {
		if i > 0 {
			pts += ", "
		}
		pts += fmt.Sprintf("%s in %s", count(p.Rows), dur(p.DurationS))
	}
	msg += fmt.Sprintf(" — %s fit, R² %.3f on every run, from %s", cs.Model, cs.R2, pts)
	for _, f := range cs.Fits {
		if f.Metric == "duration" && (f.FitBandPct > 0 || f.SpreadBandPct > 0) {
			msg += fmt.Sprintf("; band ±%.0f%%: fit ±%.0f%%, run-to-run spread ±%.0f%%", f.BandPct, f.FitBandPct, f.SpreadBandPct)
		}
	}
	var sp []string
	for _, g := range cs.Spread {
		if g.Runs > 1 {
			sp = append(sp, fmt.Sprintf("%s rows %s to %s", count(g.Rows), dur(g.MinS), dur(g.MaxS)))
		}
	}
	if len(sp) > 0 {
		msg += " (runs: " + strings.Join(sp, ", ") + ")"
	}
	if cs.Extrapolation > MaxReach {
		msg += fmt.Sprintf("; extrapolates %.0f× beyond the largest measured scale", cs.Extrapolation)
	}
	return msg
}

// poolNote warns when the statement's table fitted the rehearsal's buffer
// pool at every measured scale but not at the target: the cost per row can
// grow there (reads from disk), beyond what the fit saw.
func (a *analysis) poolNote(s *series, pr result.Prediction) string {
	t := a.table(s.schema, s.table)
	if t == nil || len(s.points) == 0 {
		return ""
	}
	pool := s.points[len(s.points)-1].pool
	targetPool := a.in.TargetPool
	if targetPool <= 0 {
		targetPool = pool
	}
	full := t.Stats.DataBytes + t.Stats.IndexBytes
	if pool <= 0 || full <= 0 {
		return ""
	}
	prodRows := float64(t.Stats.RowCount())
	largest := float64(s.points[len(s.points)-1].rows)
	if prodRows <= 0 {
		return ""
	}
	atLargest := int64(float64(full) * largest / prodRows)
	atTarget := int64(float64(full) * float64(pr.Rows) / prodRows)
	if atLargest > pool || atTarget <= targetPool {
		return ""
	}
	msg := fmt.Sprintf("the table is ~%s in a %s buffer pool at the largest measured scale but ~%s in %s at the target: the measured runs read from memory, the target would read from disk, so the real run can be slower than predicted (toward the band's upper end)",
		mysqlkit.Bytes(atLargest), mysqlkit.Bytes(pool), mysqlkit.Bytes(atTarget), mysqlkit.Bytes(targetPool))
	if v, ok := a.settings["innodb_buffer_pool_size"]; ok {
		msg += fmt.Sprintf("; production's buffer pool is %s bytes", v)
	}
	return msg
}
