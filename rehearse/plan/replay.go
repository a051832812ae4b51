package plan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/scope"
)

// classifyError maps a replay error to a Replay.
func classifyError(err error) *Replay {
	r := &Replay{Class: "failed", Message: err.Error()}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		r.Error, r.Message = int(me.Number), me.Message
		if _, ok := mysqlkit.AlreadyExists[me.Number]; ok {
			r.Class = "already-applied"
		} else if _, ok := mysqlkit.MissingObject[me.Number]; ok {
			r.Class = "missing-object"
		}
	}
	return r
}

// replayer runs the pending migrations on a schema-only sandbox.
type replayer struct {
	conn *sql.Conn
	srv  server
	c    *classifier // for dynamic (PREPARE'd) statement text
	// prepared: each prepared statement's source, by lower-case name:
	// "@var" or the literal text.
	prepared map[string]string
	replayed int
	failed   int
	// executed is the inner plan the last EXECUTE verified (nil when the
	// last statement was no EXECUTE of a DDL string).
	executed *StatementPlan
	// confined is what runs instead of a statement on the dsn engine
	// (scope: the snapshot's database rewritten to the scratch database).
	confined scope.Confined
}

var userVar = regexp.MustCompile(`^@?` + "`?" + `([\w$.]+)`)

// migration replays one migration's up statements into pm's plans and
// returns its findings. Each statement is sent exactly as the runner sends
// it (its own ALGORITHM/LOCK clauses, the flavor's syntax): what the server
// rejects here, it rejects in production. After the first failure the rest
// of the migration is skipped, as the runner would stop there. The
// ALGORITHM/LOCK ladder never runs here: see probe, on a copy, after.
func (r *replayer) migration(ctx context.Context, m *migrations.Migration, pm *PendingMigration) []Finding {
	var out []Finding
	failed := false
	for i, st := range m.Up.Statements {
		sp := &pm.Statements[i]
		if failed {
			sp.Replay = &Replay{Class: "skipped", Message: "not run: an earlier statement of this migration failed"}
			continue
		}
		_, err := r.conn.ExecContext(ctx, r.confined.Text(st.Text))
		r.replayed++
		if err == nil {
			sp.Replay = &Replay{OK: true}
			continue
		}
		failed = true
		r.failed++
		rep := classifyError(err)
		sp.Replay = rep
		out = append(out, replayFinding(m, sp, rep))
	}
	return out
}

func replayFinding(m *migrations.Migration, sp *StatementPlan, rep *Replay) Finding {
	switch rep.Class {
	case "already-applied":
		return newFinding(codes.AppliedOutside, m.Key, sp.File, sp.Line,
			"%s fails on production's schema with error %d (%s): production already has what it creates. It was applied outside the runner (by hand, or by another branch): it will fail, or, if written to skip what exists, record itself as applied without running the rest",
			m.ID(), rep.Error, rep.Message)
	case "missing-object":
		return newFinding(codes.MissingObject, m.Key, sp.File, sp.Line,
			"%s fails on production's schema with error %d (%s): it references a table or column production does not have at this point (a migration cherry-picked from another release, or one that depends on a migration that never ran here)",
			m.ID(), rep.Error, rep.Message)
	}
	return newFinding(codes.ReplayFailed, m.Key, sp.File, sp.Line, "%s fails on production's schema with error %d: %s", m.ID(), rep.Error, rep.Message)
}

// probe asks the server which ALGORITHM/LOCK each statement of pm that
// applied in the verbatim replay gets: r works on a copy of the schema
// (cloneSchema, taken before the replay), so the ladder's rewritten
// statements never touch the replayed schema, and statements that failed
// there are not run on the copy either (it follows the same path). A
// statement that fails on the copy keeps its verbatim verdict; its
// Verified says why it has no answer.
func (r *replayer) probe(ctx context.Context, m *migrations.Migration, pm *PendingMigration, names *regexp.Regexp, schema string) {
	for i, st := range m.Up.Statements {
		sp := &pm.Statements[i]
		if sp.Replay == nil || !sp.Replay.OK {
			return
		}
		rep := r.probeOne(ctx, pm, i, r.confined.Text(st.Text), names, schema)
		if rep.OK || (sp.Verified == nil && !alterHead.MatchString(st.Text) && !indexHead.MatchString(st.Text)) {
			continue
		}
		if sp.Verified == nil {
			sp.Verified = &Verified{}
		}
		if sp.Verified.Algorithm == "" {
			sp.Verified.Note = "not verified: " + rep.Message
			if rep.Error != 0 {
				sp.Verified.Note = fmt.Sprintf("not verified: on the copy of the schema it failed with error %d (%s)", rep.Error, rep.Message)
			}
		}
	}
}

// probeOne runs statement i of pm (text) through the ladder on r's copy of
// the schema, unless it names schema explicitly (it would change the real
// tables: skipped). It returns how the statement fared on the copy.
func (r *replayer) probeOne(ctx context.Context, pm *PendingMigration, i int, text string, names *regexp.Regexp, schema string) *Replay {
	r.executed = nil
	if names.MatchString(text) {
		return &Replay{Class: "skipped", Message: fmt.Sprintf("names database %s explicitly: not run on the copy", schema)}
	}
	if err := r.statement(ctx, pm, i, text); err != nil {
		return classifyError(err)
	}
	return &Replay{OK: true}
}

// statement runs one statement: DDL through the ladder (verifying its
// algorithm), EXECUTE of a PREPARE'd DDL string through the ladder too.
func (r *replayer) statement(ctx context.Context, pm *PendingMigration, i int, text string) error {
	sp := &pm.Statements[i]
	node, perr := r.c.parse(text)
	if perr != nil && (alterHead.MatchString(text) || indexHead.MatchString(text)) {
		// Not analysed, but an ALTER all the same: the server says.
		if v, err := climb(ctx, r.conn, r.srv, sp.Ops, text); v != nil {
			sp.Verified = v
			return err
		}
	}
	if perr == nil {
		switch s := node.(type) {
		case *ast.AlterTableStmt, *ast.CreateIndexStmt, *ast.DropIndexStmt:
			v, err := climb(ctx, r.conn, r.srv, sp.Ops, text)
			if v != nil {
				sp.Verified = v
				return err
			}
		case *ast.PrepareStmt:
			if s.SQLVar != nil {
				r.prepared[strings.ToLower(s.Name)] = "@" + s.SQLVar.Name
			} else {
				r.prepared[strings.ToLower(s.Name)] = s.SQLText
			}
		case *ast.ExecuteStmt:
			if handled, err := r.execute(ctx, pm, i, s); handled {
				return err
			}
		case *ast.DeallocateStmt:
			delete(r.prepared, strings.ToLower(s.Name))
		}
	}
	_, err := r.conn.ExecContext(ctx, text)
	return err
}

// execute runs EXECUTE of a prepared DDL string (the text the server holds
// now: the literal, or the variable's value) through the ladder and records
// the verification on the EXECUTE's plan (innerFor).
func (r *replayer) execute(ctx context.Context, pm *PendingMigration, i int, s *ast.ExecuteStmt) (bool, error) {
	v, ok := r.prepared[strings.ToLower(s.Name)]
	if !ok || len(s.UsingVars) > 0 {
		return false, nil
	}
	text := sql.NullString{String: v, Valid: true}
	if name, ok := strings.CutPrefix(v, "@"); ok {
		if err := r.conn.QueryRowContext(ctx, "SELECT @"+quoteVar(name)).Scan(&text); err != nil || !text.Valid {
			return false, nil
		}
	}
	if !ddlHead.MatchString(text.String) {
		r.markNotChosen(pm, i)
		return false, nil
	}
	target := r.innerFor(pm, i, text.String)
	ver, err := climb(ctx, r.conn, r.srv, target.Ops, text.String)
	if ver == nil {
		return false, nil
	}
	target.Verified = ver
	r.executed = target
	if target != &pm.Statements[i] { // the EXECUTE's own Replay is the verbatim one's
		target.Replay = &Replay{OK: err == nil}
		if err != nil {
			target.Replay = classifyError(err)
		}
	}
	return true, err
}

func quoteVar(v string) string {
	if m := userVar.FindStringSubmatch(v); m != nil && m[1] == v {
		return v
	}
	return mysqlkit.Quote(v)
}

func normSQL(s string) string {
	return strings.Join(strings.Fields(strings.TrimRight(strings.TrimSpace(s), ";")), " ")
}

// innerFor finds the plan of the executed DDL: the EXECUTE's own when the
// plan knew the text (StatementPlan.Executes), else an inner plan of the
// statements up to it (a dynamic EXECUTE's possible texts) whose text is
// the executed DDL, else one it adds to the EXECUTE statement.
func (r *replayer) innerFor(pm *PendingMigration, i int, text string) *StatementPlan {
	want := normSQL(text)
	if sp := &pm.Statements[i]; sp.Executes != "" && sp.Executes != DynamicSQL && normSQL(sp.Executes) == want {
		return sp
	}
	for j := i; j >= 0; j-- {
		for k := range pm.Statements[j].Inner {
			in := &pm.Statements[j].Inner[k]
			if in.Verified == nil && in.Replay == nil && normSQL(in.SQL) == want {
				return in
			}
		}
	}
	sp := &pm.Statements[i]
	plan := StatementPlan{File: sp.File, Line: sp.Line, SQL: cut(strings.TrimSpace(text)), Via: "prepare"}
	r.c.classifyText(&plan, plan.SQL, false)
	sp.Inner = append(sp.Inner, plan)
	return &sp.Inner[len(sp.Inner)-1]
}

// markNotChosen: the EXECUTE ran the harmless branch (e.g. 'SELECT 1'):
// the conditional DDL of the SET before it did not run on this schema.
func (r *replayer) markNotChosen(pm *PendingMigration, i int) {
	if sp := &pm.Statements[i]; sp.Executes != "" && sp.Executes != DynamicSQL {
		sp.Verified = &Verified{Note: "not run: the migration's condition chose its no-op branch on this schema (the change is already there)"}
		return
	}
	for j := i; j >= 0; j-- {
		for k := range pm.Statements[j].Inner {
			in := &pm.Statements[j].Inner[k]
			if in.Via == "prepare" && in.Replay == nil {
				in.Replay = &Replay{OK: true, Class: "not-run", Message: "the migration's condition chose its no-op branch on this schema (the change is already there)"}
				return
			}
		}
	}
}

func (r *replayer) String() string {
	return fmt.Sprintf("%d replayed, %d failed", r.replayed, r.failed)
}
