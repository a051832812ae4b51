package migrations

import "fmt"

// merge joins the up and down halves that formats with one file per
// direction return separately, and reports duplicate versions.
func merge(ms []Migration) ([]Migration, []Problem) {
	var out []Migration
	var errs []Problem
	idx := map[string]int{}
	for _, m := range ms {
		i, seen := idx[m.Key]
		if !seen {
			idx[m.Key] = len(out)
			out = append(out, m)
			continue
		}
		cur := &out[i]
		switch {
		case m.hasUp && cur.hasUp:
			errs = append(errs, dupProblem(m.Up, cur.Up, m.Key))
			continue
		case m.Down != nil && cur.Down != nil:
			errs = append(errs, dupProblem(*m.Down, *cur.Down, m.Key))
			continue
		}
		if m.hasUp {
			cur.Up, cur.hasUp, cur.Name, cur.Version = m.Up, true, m.Name, m.Version
			cur.NoTransaction = cur.NoTransaction || m.NoTransaction
		}
		if m.Down != nil {
			cur.Down = m.Down
		}
		if m.Verify != nil {
			cur.Verify = m.Verify
		}
	}
	for _, m := range out {
		if !m.hasUp && m.Down != nil {
			errs = append(errs, Problem{Code: "down-without-up", Severity: Error, File: m.Down.File, Line: 1,
				Message: fmt.Sprintf("a down migration for version %s without its up migration", m.Version)})
		}
	}
	return out, errs
}

func dupProblem(a, b Script, key string) Problem {
	return Problem{Code: "duplicate-version", Severity: Error, File: a.File, Line: 1,
		Message: fmt.Sprintf("version %s is also used by %s: two migrations cannot share a version (renumber one)", key, b.File)}
}

// Irreversible is a format whose runner has no down migrations at all
// (Prisma Migrate): the rollback verdict is said once for the folder, not
// per migration.
type Irreversible interface {
	NoDowns() string // why, for the one message
}

// downProblems flags ups without a down and empty downs (warnings).
func downProblems(f Format, ms []Migration) []Problem {
	var out []Problem
	if ir, ok := f.(Irreversible); ok {
		if len(ms) > 0 {
			out = append(out, Problem{Code: "no-down", Severity: Warning, File: ms[0].Up.File,
				Message: fmt.Sprintf("%s: none of the %d migrations can be rolled back (rollback verdict: irreversible)", ir.NoDowns(), len(ms))})
		}
		return out
	}
	for _, m := range ms {
		switch {
		case m.Repeatable:
		case m.Down == nil:
			out = append(out, Problem{Code: "no-down", Severity: Warning, File: m.Up.File, Line: m.Up.Line,
				Message: fmt.Sprintf("migration %s has no down migration: it cannot be rolled back", m.ID())})
		case m.Down.Empty() && !m.Up.Empty():
			out = append(out, Problem{Code: "empty-down", Severity: Warning, File: m.Down.File, Line: m.Down.Line,
				Message: fmt.Sprintf("the down migration of %s has no statement: rolling back does not undo its up", m.ID())})
		}
	}
	return out
}
