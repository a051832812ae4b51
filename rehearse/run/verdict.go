package run

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/result"
)

var ddlRe = regexp.MustCompile(`(?is)^\s*(/\*.*?\*/\s*)*(ALTER|CREATE|DROP|RENAME|TRUNCATE|OPTIMIZE)\b`)

func isDDL(sql string) bool { return ddlRe.MatchString(sql) }

// executeRe: an EXECUTE of a prepared statement (what it ran is the probe's
// to say: planning.go).
var executeRe = regexp.MustCompile(`(?is)^\s*(/\*.*?\*/\s*)*EXECUTE\s`)

// alreadyExists: the statement failed because its object is there already.
func alreadyExists(code int) bool {
	_, ok := mysqlkit.AlreadyExists[uint16(code)]
	return code > 0 && code <= 0xffff && ok
}

var alterRe = regexp.MustCompile(`(?is)^\s*(ALTER\s+(ONLINE\s+|IGNORE\s+)*TABLE|CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|DROP\s+INDEX|OPTIMIZE)`)

// usedAlgorithm tells how the server ran a DDL statement, from what it
// reports: a table copy reports the rows it copied; INPLACE and INSTANT
// report none.
func usedAlgorithm(sql string, rowsAffected int64) string {
	if !alterRe.MatchString(sql) {
		return ""
	}
	if rowsAffected > 0 {
		return "COPY"
	}
	return "INPLACE/INSTANT"
}

// appCompatResult lists the pre-release statement shapes that fail (or
// silently change data) on the new schema: each shape replayed once, and the
// running load's schema-mismatch errors during the app-compat window.
func (r *rehearsal) appCompatResult(f *forward, lr *load.Result) {
	if r.appFrom.IsZero() {
		return
	}
	ac := &result.AppCompat{Checked: len(r.shapes)}
	seen := map[string]bool{}
	for _, sh := range r.shapes {
		if !sh.Failed() {
			continue
		}
		if !r.releaseBroke(sh) {
			r.logf("app-compat: %s on %s failed as it would before the release (not counted): %s", sh.Kind, sh.Table, sh.Error)
			continue
		}
		msg := sh.Error
		if msg == "" {
			msg = "runs, with warnings: " + strings.Join(sh.Warnings, "; ")
		}
		seen[sh.SQL] = true
		ac.Failures = append(ac.Failures, result.AppCompatIssue{
			Table: sh.Table, Kind: sh.Kind.String(), Shape: sh.SQL,
			ErrorCode: sh.ErrorCode, Error: msg, Cause: r.causeOf(f, sh.SQL),
		})
	}
	if lr != nil {
		w := lr.Window(r.appFrom, r.appTo)
		for _, ts := range w.Templates {
			n := ts.Classes[load.SchemaMismatch]
			t := lr.Templates[ts.Template]
			if n == 0 || seen[t.SQL] {
				continue
			}
			issue := result.AppCompatIssue{
				Table: t.Table, Kind: t.Kind.String(), Shape: t.SQL,
				Error: fmt.Sprintf("%d of %d failed with a schema mismatch under load", n, ts.Ops),
				Cause: r.causeOf(f, t.SQL),
			}
			// The server's own words, so a reader can tell what broke
			// (a NULL the new column refuses, a column no longer there).
			if code, msg, ok := lr.ErrorSample(ts.Template, load.SchemaMismatch, r.appFrom, r.appTo); ok {
				issue.ErrorCode, issue.Error = int(code), issue.Error+"; e.g. "+msg
			}
			ac.Failures = append(ac.Failures, issue)
		}
	}
	r.report.AppCompat = ac
}

// constraintRe finds the constraint or key an error names: FOREIGN KEY
// (1451, 1452: "CONSTRAINT `fk`"), duplicate key (1062: "for key
// 'uq'" or "'t.uq'"), CHECK (3819: "Check constraint 'c'", MariaDB 4025:
// "CONSTRAINT `c` failed").
var constraintRe = regexp.MustCompile("(?i)(?:CONSTRAINT [`']([^`']+)[`']|for key '(?:[^'.]+\\.)?([^']+)'|check constraint '([^']+)')")

// releaseBroke tells whether a previous-app shape's failure is the
// release's doing: the statement no longer fits the schema (unknown
// column, no default, a value that no longer fits: the SchemaMismatch
// class), it changed data with warnings, or it broke a constraint or key
// the release added. A shape failing on what was already there (deleting
// a parent row a pre-release foreign key protects, a lock wait beside the
// load) fails the same without the release: not a compatibility break.
func (r *rehearsal) releaseBroke(sh load.ShapeResult) bool {
	switch {
	case sh.Class == load.SchemaMismatch || sh.Class == load.OK && len(sh.Warnings) > 0:
		return true
	case sh.Class != load.Other:
		return false // lock waits, deadlocks, lost connections: the load's contention
	}
	m := constraintRe.FindStringSubmatch(sh.Error)
	if m == nil || r.pre == nil {
		return true // an error naming nothing to check: counted
	}
	name := m[1] + m[2] + m[3]
	if preHasForeignKey(r.pre, sh.Error) {
		return false
	}
	for _, t := range r.pre.Tables {
		for _, ix := range t.Indexes {
			if strings.EqualFold(ix.Name, name) {
				return false
			}
		}
		for _, fk := range t.ForeignKeys {
			if strings.EqualFold(fk.Name, name) {
				return false
			}
		}
		for _, c := range t.Checks {
			if strings.EqualFold(c.Name, name) {
				return false
			}
		}
	}
	return true
}

// fkErrorRe reads the foreign key a 1451/1452 error names: the child
// table, its columns and the parent table.
var fkErrorRe = regexp.MustCompile("\\(`[^`]+`\\.`([^`]+)`, CONSTRAINT `[^`]+` FOREIGN KEY \\(([^)]*)\\) REFERENCES `([^`]+)`")

// preHasForeignKey tells whether the foreign key a 1451/1452 error names
// was there before the release, by what it links (the child table and
// columns, the parent table), whatever its name: pt-online-schema-change
// renames the foreign keys of a table it rebuilds (fk → _fk).
func preHasForeignKey(pre *schemaState, msg string) bool {
	m := fkErrorRe.FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	cols := strings.ReplaceAll(m[2], "`", "")
	for _, t := range pre.Tables {
		if !strings.EqualFold(t.Name, m[1]) {
			continue
		}
		for _, fk := range t.ForeignKeys {
			if len(fk.Columns) > 0 && strings.EqualFold(strings.Join(fk.Columns, ", "), cols) && strings.EqualFold(fk.RefTable, m[3]) {
				return true
			}
		}
	}
	return false
}

// causeOf names the applied migration that dropped a column the statement
// uses, when there is one.
func (r *rehearsal) causeOf(f *forward, sql string) string {
	for _, m := range f.applied {
		for _, d := range droppedObjects(f.before[m.Version], f.after[m.Version]) {
			name := d[strings.LastIndexAny(d, ". ")+1:]
			if strings.Contains(sql, "`"+name+"`") || regexp.MustCompile(`\b`+regexp.QuoteMeta(name)+`\b`).MatchString(sql) {
				return fmt.Sprintf("%s drops %s", m.ID(), d)
			}
		}
	}
	return ""
}

// verdict evaluates the gates and writes the findings the run measured.
func (r *rehearsal) verdict(f *forward) {
	rep := r.report
	gates, settings := EffectiveGatesFor(r.opts.Gates, rep.Replication != nil && rep.Replication.Replicas > 0)
	rep.GateSettings = settings
	rep.Gates = Evaluate(gates, rep)
	var failed []string
	for _, g := range rep.Gates {
		if !g.Passed {
			failed = append(failed, fmt.Sprintf("%s %s: %s > %s", g.Name, g.Scope, g.Measured, g.Limit))
		}
	}
	for _, vf := range f.verifyFailed {
		failed = append(failed, fmt.Sprintf("migration %s: its verify script failed at %s: %s", vf.mig.Version, vf.pos, vf.err))
		rep.Findings = append(rep.Findings, result.Finding{
			Severity: "error", Migration: vf.mig.Version,
			Message: fmt.Sprintf("the verify script failed at %s after the change deployed: %s; sqitch deploy reverts the change and stops there", vf.pos, vf.err),
			Fix:     "make the deploy script create what the verify script checks (or fix the check)",
		}.Of(codes.VerifyFailed))
	}
	for _, m := range rep.Migrations {
		for _, s := range m.Statements {
			if s.Status == "failed" && alreadyExists(s.ErrorCode) {
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "error", Migration: m.Version, Statement: s.Index,
					Message: fmt.Sprintf("failed with %d (%s): production's schema already has what this pending migration creates, so it was applied outside the runner; a deploy will run it again and fail", s.ErrorCode, firstLine(s.Error)),
					Fix:     "record it in the history table as the runner would (after checking the schema matches), or make it idempotent",
				}.Of(codes.AppliedOutsideRun))
			}
			if s.Status == "failed" {
				failed = append(failed, fmt.Sprintf("migration %s statement %d failed: %s", m.Version, s.Index, s.Error))
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "error", Migration: m.Version, Statement: s.Index,
					Message: fmt.Sprintf("statement %d failed (error %d) after %d statement(s) committed: MySQL DDL is not transactional, so the release is half-applied", s.Index, s.ErrorCode, len(partialCommitted(m))),
					Fix:     "make the migration idempotent (guard each step) or split it so each statement is its own migration",
				}.Of(codes.MigrationFailed))
			}
			if s.LockWaitS >= 1 && s.BlockedBy != "" {
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "warning", Migration: m.Version, Statement: s.Index,
					Message: fmt.Sprintf("waited %.1f s for its metadata lock behind %s; %d writer(s) queued behind it (longest stall %.1f s)", s.LockWaitS, s.BlockedBy, s.WritersBlocked, s.LongestStallS),
					Fix:     "set a short lock_wait_timeout for the migration session and retry, and check for long transactions before deploying",
				}.Of(codes.LockWait))
			}
			// A copy that held writers for most of its run: the stall grows
			// with the table, so at production's size it is the copy's
			// whole duration (the rehearsal's seconds are a lower bound).
			if s.Algorithm == "COPY" && s.LongestStallS >= 0.2 && s.LongestStallS >= 0.5*s.DurationS {
				msg := fmt.Sprintf("copied the table (%d rows) and blocked writers for %.1f s of its %.1f s", s.RowsAffected, s.LongestStallS, s.DurationS)
				if s.TableRows > s.RowsAffected && s.RowsAffected > 0 {
					msg += fmt.Sprintf("; at production's %d rows, about %.0f s if the copy scales linearly (rehearse capacity measures it)",
						s.TableRows, s.LongestStallS*float64(s.TableRows)/float64(s.RowsAffected))
				}
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "warning", Migration: m.Version, Statement: s.Index,
					Message: msg,
					Fix:     "use an online schema change tool (gh-ost, pt-online-schema-change, spirit) or ALGORITHM=INPLACE, LOCK=NONE where the server allows it",
				}.Of(codes.CopyBlockedWriters))
			}
		}
	}
	if rb := rep.Rollback; rb != nil {
		for _, m := range rb.Migrations {
			switch m.Verdict {
			case "differences", "failed", "irreversible":
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "warning", Migration: m.Version,
					Message: fmt.Sprintf("rollback: the down %s: %s", verdictText(m.Verdict), strings.Join(m.Detail, "; ")),
					Fix:     "write a down that inverts the up exactly, or mark the migration as forward-only in the release notes",
				}.Of(codes.RollbackDifferences))
			case "data_lost":
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "warning", Migration: m.Version,
					Message: "rollback loses data: " + strings.Join(m.Detail, "; "),
					Fix:     "expand/contract: stop using the column in one release, drop it in a later one",
				}.Of(codes.RollbackDataLost))
			}
			if len(m.AtRisk) > 0 {
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "warning", Migration: m.Version,
					Message: "rollback may lose data: " + strings.Join(m.AtRisk, "; "),
					Fix:     "check production's values before the release (e.g. SELECT COUNT(*) of the values that do not fit the new type), or keep the wider type",
				}.Of(codes.RollbackDataLost))
			}
		}
	}
	if ac := rep.AppCompat; ac != nil {
		for _, fl := range ac.Failures {
			msg := fmt.Sprintf("rolling back the app without rolling back the schema breaks: %s on %s (%s)", fl.Kind, fl.Table, fl.Error)
			if fl.Cause != "" {
				msg += "; " + fl.Cause
			}
			if rep.Inputs.LoadSource == "default" {
				// The default mix knows no application: it writes and reads
				// every column, as an ORM mapping the pre-release schema
				// does. Say how to tell it what the app really does.
				msg += " (the default load assumes the previous app uses every column; if it no longer uses this one, snapshot production with --digests or give --load-profile, or --gate app-compat=off)"
			}
			rep.Findings = append(rep.Findings, result.Finding{
				Severity: "warning", Table: fl.Table, Message: msg,
				Fix: "expand/contract: keep the old shape working for one release (add before use, drop after the app stops using it)",
			}.Of(codes.AppCompat))
		}
	}
	// A dirty or failed history entry (RH002, from the plan): the runner
	// refuses to deploy (golang-migrate's "Dirty database version N") or
	// retries on a half-changed schema. The rehearsal replayed the pending
	// migrations anyway; passing it would let through a release whose own
	// deploy stops. Its severity is the user's to lower (rules: RH002).
	for _, f := range rep.Findings {
		if f.Code == codes.Dirty && f.Severity == "error" {
			failed = append(failed, fmt.Sprintf("history: migration %s is recorded as dirty or failed; the runner refuses to deploy over it until the history is repaired", f.Migration))
		}
	}
	r.replicaFindings()
	if len(failed) == 0 {
		rep.Verdict = result.Pass
		return
	}
	rep.Verdict = result.Fail
	rep.Reason = strings.Join(failed, "; ")
}

func partialCommitted(m result.Migration) []int {
	var out []int
	for _, s := range m.Statements {
		if s.Status == "ok" {
			out = append(out, s.Index)
		}
	}
	return out
}

func verdictText(v string) string {
	switch v {
	case "differences":
		return "leaves differences"
	case "failed":
		return "failed"
	case "irreversible":
		return "is missing or empty (irreversible)"
	}
	return v
}
