package run

// The server's own answer: before data generation, while every table is
// still empty, the sandbox is asked which ALGORITHM/LOCK each pending ALTER
// gets (plan.ProbeAlgorithms on an empty copy of the schema). The report
// then holds, per statement, the rule table's prediction, the server's
// verified answer and the algorithm the run used, and says where they part.

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// probeAlgorithms fills r.probes for the pending migrations' up statements.
// It returns a phase detail. Statements that name another database of the
// snapshot explicitly are not given to the probe (it would change that
// database, which the rehearsal is about to use): each is replaced by a
// no-op, so later statements keep their positions, and noted.
func (r *rehearsal) probeAlgorithms(ctx context.Context, pending []*migrations.Migration) (string, error) {
	others := r.otherSchemas()
	var stmts []sqlsplit.Statement
	notes := map[int]string{}
	for _, m := range pending {
		for _, st := range m.Up.Statements {
			st.Text = r.confined.Text(st.Text)
			if name := namesOne(others, st.Text); name != "" {
				notes[len(stmts)] = fmt.Sprintf("names database %s explicitly: not probed", name)
				st.Text = "DO 0"
			}
			stmts = append(stmts, st)
		}
	}
	scratch := ""
	if r.srv.Database != "" {
		// The dsn engine works on a shared server: keep the probe's scratch
		// database next to the rehearsal's own (same name prefix, so the
		// same grants cover it, and no clash with another rehearsal).
		scratch = r.srv.Database + "_probe"
	}
	probes, err := plan.ProbeAlgorithms(ctx, r.db, stmts, plan.ProbeOptions{Schema: r.schema, Scratch: scratch})
	if err != nil {
		return "", err
	}
	r.probes = map[string][]plan.Probe{}
	i, verified := 0, 0
	for _, m := range pending {
		for range m.Up.Statements {
			p := probes[i]
			if n, ok := notes[i]; ok {
				p = plan.Probe{File: p.File, Line: p.Line, Replay: &plan.Replay{Class: "skipped", Message: n}}
			}
			if p.Verified != nil && p.Verified.Algorithm != "" {
				verified++
			}
			r.probes[m.Version] = append(r.probes[m.Version], p)
			i++
		}
	}
	return fmt.Sprintf("%d statements on empty tables, %d ALGORITHM/LOCK answers", len(stmts), verified), nil
}

// otherSchemas are the databases of the snapshot a probe must not touch:
// all but the one the migrations run in.
func (r *rehearsal) otherSchemas() []string {
	var out []string
	for _, s := range r.opts.Snapshot.Schemas {
		if s.Name != r.schema {
			out = append(out, s.Name)
		}
	}
	return out
}

// namesOne returns the first of schemas that text qualifies a name with
// ("app.t", "`app`.`t`"), or "".
func namesOne(schemas []string, text string) string {
	for _, s := range schemas {
		q := regexp.QuoteMeta(s)
		re := regexp.MustCompile("(?i)(^|[^\\w$`.])(`" + q + "`|" + q + ")\\s*\\.\\s*[`\\w$]")
		if re.MatchString(text) {
			return s
		}
	}
	return ""
}

// verifyStatement copies the probe's answer for one statement into s.
func verifyStatement(s *result.Statement, p *plan.Probe) {
	if p == nil {
		return
	}
	if v := p.Verified; v != nil && v.Algorithm != "" {
		s.VerifiedAlg, s.VerifiedLock = v.Algorithm, v.Lock
		return
	}
	if s.PredictedAlg == "" && s.Algorithm == "" {
		return // not a statement the ALGORITHM ladder applies to
	}
	switch {
	case p.Verified != nil && p.Verified.Note != "":
		s.VerifyNote = p.Verified.Note
	case p.Replay != nil && p.Replay.Class == "skipped":
		s.VerifyNote = p.Replay.Message
	case p.Replay != nil && !p.Replay.OK:
		msg := fmt.Sprintf("failed on the empty copy (%s)", p.Replay.Class)
		if p.Replay.Error != 0 {
			msg = fmt.Sprintf("failed on the empty copy with error %d (%s)", p.Replay.Error, firstLine(p.Replay.Message))
		}
		s.VerifyNote = "not verified: " + msg
	default:
		s.VerifyNote = "not verified: the server was not asked (no ALGORITHM clause applies)"
	}
}

// algorithmFindings compares, per statement, the rule table's prediction
// with the server's verified answer (RUN205: a disagreement is a bug in
// the rule table) and the verified answer with what the run used (RUN206).
func (r *rehearsal) algorithmFindings() {
	rep := r.report
	sandbox := strings.TrimSpace(rep.Inputs.Flavor + " " + rep.Inputs.Version)
	source := strings.TrimSpace(r.opts.Snapshot.Source.Flavor + " " + r.opts.Snapshot.Source.Version)
	for _, m := range rep.Migrations {
		for _, s := range m.Statements {
			if s.VerifiedAlg == "" {
				continue
			}
			verified := algoText(s.VerifiedAlg, s.VerifiedLock)
			if s.PredictedAlg != "" && (s.PredictedAlg != s.VerifiedAlg || s.PredictedLock != s.VerifiedLock) {
				msg := fmt.Sprintf("%s: our rule table predicted %s but %s accepted %s on an empty copy of the table",
					what(s), algoText(s.PredictedAlg, s.PredictedLock), sandbox, verified)
				if !strings.EqualFold(source, sandbox) {
					msg += fmt.Sprintf(" (the prediction is for the snapshot's %s)", source)
				}
				msg += ": the rule table is wrong for this server; the rehearsal measured what the server does"
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "info", Migration: m.Version, Statement: s.Index, Table: s.Table,
					Message: msg,
					Fix:     "trust the verified answer (and `rehearse plan`'s server verification); please report the statement, the server version and both answers so the rule table can be fixed",
				}.Of(codes.PredictionWrong))
			}
			if s.Status != "ok" || s.Algorithm == "" {
				continue
			}
			switch {
			case s.Algorithm == plan.Copy && s.VerifiedAlg != plan.Copy:
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "warning", Migration: m.Version, Statement: s.Index, Table: s.Table,
					Message: fmt.Sprintf("%s: the server accepts %s for it (verified on an empty copy of the table), yet the run copied the table (%d rows): a server or session setting (alter_algorithm, old_alter_table) or the statement's own clauses made it copy",
						what(s), verified, s.RowsAffected),
					Fix: fmt.Sprintf("add %s to the statement so the server does that or refuses, and check the server's alter_algorithm/old_alter_table settings", clause(s.VerifiedAlg, s.VerifiedLock)),
				}.Of(codes.AlgorithmUnexpected))
			case s.Algorithm == "INPLACE/INSTANT" && s.VerifiedAlg == plan.Copy && r.sandboxRows(s.Table) > 0:
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "info", Migration: m.Version, Statement: s.Index, Table: s.Table,
					Message: fmt.Sprintf("%s: the server verified only %s on an empty copy of the table, yet the run copied no row: it did better than the server promised, so production (with other settings or another version) may still copy the table",
						what(s), verified),
					Fix: "compare the sandbox's server version and settings with production's",
				}.Of(codes.AlgorithmUnexpected))
			}
		}
	}
}

// sandboxRows is the rows the rehearsal generated in table (0 when unknown).
func (r *rehearsal) sandboxRows(table string) int64 {
	if table == "" {
		return 0
	}
	return r.report.Inputs.TableRows[r.schema+"."+table]
}

func algoText(alg, lock string) string {
	if lock == "" {
		return alg
	}
	return alg + "/LOCK=" + lock
}

func clause(alg, lock string) string {
	if lock == "" || alg == plan.Instant {
		return "ALGORITHM=" + alg
	}
	return "ALGORITHM=" + alg + ", LOCK=" + lock
}

// what names a statement for a message: its operation and table.
func what(s result.Statement) string {
	op := s.Operation
	if op == "" {
		op = firstLine(truncate(s.SQL, 60))
	}
	if s.Table != "" {
		return op + " on " + s.Table
	}
	return op
}
