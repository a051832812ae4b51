package scenarios

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
	"github.com/rehearse/rehearse/snapshot"
)

// TestStoriesOnSchema replays every variant's pending migrations on its
// snapshot restored into a real server (schema only, no data, no load) and
// checks the expectations a schema-only replay can answer: which migration
// applies or fails, and with which error at which statement. It catches a
// scenario whose SQL no longer tells its story (a renamed column, a snapshot
// not regenerated) in seconds, before the full rehearsals run.
func TestStoriesOnSchema(t *testing.T) {
	for _, target := range testserver.Targets() {
		t.Run(target.Name, func(t *testing.T) {
			srv := testserver.Start(t, target)
			db, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, s := range All() {
				for _, v := range s.Variants {
					rep := replaySchemaOnly(t, s, v.Name, string(srv.Flavor), srv.Version, db)
					exp, err := s.Expectations(v.Name)
					if err != nil {
						t.Fatal(err)
					}
					cfg, _ := s.Config(v.Name)
					dry := schemaOnlyAssertions(exp, cfg.Inject)
					if len(dry.Assertions) == 0 {
						continue
					}
					for _, f := range Check(rep, dry) {
						t.Errorf("%s/%s on %s %s: %s", s.Name, v.Name, srv.Flavor, srv.Version, f)
					}
				}
			}
		})
	}
}

// schemaOnlyAssertions keeps the assertions on migration status and on
// statement errors: what a replay without data, load and injected faults can
// answer (a migration an injection targets is left to the full rehearsal).
func schemaOnlyAssertions(e *Expectations, inject []string) *Expectations {
	out := &Expectations{Variant: e.Variant, File: e.File}
	injected := map[string]bool{}
	for _, in := range inject {
		if i := strings.LastIndexAny(in, "@="); i >= 0 {
			v, _, _ := strings.Cut(in[i+1:], ":")
			injected[v] = true
		}
	}
	for _, a := range e.Assertions {
		c, err := parseAssertion(a.Text)
		if err != nil || injected[c.key] {
			continue
		}
		field := strings.Join(c.path, ".")
		if (c.subject == "migration" && field == "status") ||
			(c.subject == "statement" && (field == "error_code" || field == "error")) {
			out.Assertions = append(out.Assertions, a)
		}
	}
	return out
}

// replaySchemaOnly restores the variant's snapshot and applies the pending
// ups (versions after the history's) one statement at a time, stopping at
// the first error, into a minimal report.
func replaySchemaOnly(t *testing.T, s *Scenario, variant, flavor, version string, db *sql.DB) *result.Report {
	t.Helper()
	ctx := context.Background()
	cfg, err := s.Config(variant)
	if err != nil {
		t.Fatal(err)
	}
	file, err := s.SnapshotFile(variant, flavor)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := snapshot.Load(bytes.NewReader(b), file)
	if err != nil {
		t.Fatal(err)
	}
	if err := restore.Apply(ctx, db, snap, restore.Options{Replace: true}); err != nil {
		t.Fatalf("%s/%s: restore: %v", s.Name, variant, err)
	}
	schema := snap.Schemas[0].Name
	applied := uint64(0)
	for _, h := range snap.History {
		for _, e := range h.Entries {
			if n, _ := strconv.ParseUint(e.Version, 10, 64); n > applied {
				applied = n
			}
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "USE `"+schema+"`"); err != nil {
		t.Fatal(err)
	}
	rep := &result.Report{Verdict: result.Pass, Inputs: result.Inputs{Flavor: flavor, Version: version}}
	files, err := s.MigrationFiles(variant)
	if err != nil {
		t.Fatal(err)
	}
	failed := false
	for _, f := range files {
		if !strings.HasSuffix(f, ".up.sql") {
			continue
		}
		ver, name, _ := strings.Cut(strings.TrimSuffix(f, ".up.sql"), "_")
		if n, _ := strconv.ParseUint(ver, 10, 64); n <= applied {
			continue
		}
		m := result.Migration{Version: ver, Name: name, File: f, Status: "applied"}
		if failed {
			m.Status = "not_run"
			rep.Migrations = append(rep.Migrations, m)
			continue
		}
		src, err := s.ReadFile(path.Join(cfg.Migrations, f))
		if err != nil {
			t.Fatal(err)
		}
		stmts, err := sqlsplit.Split(src, sqlsplit.Options{File: f})
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range stmts {
			r := result.Statement{Index: i + 1, Line: st.Line, SQL: st.Text}
			if _, err := conn.ExecContext(ctx, st.Text); err != nil {
				var me *mysql.MySQLError
				if !errors.As(err, &me) {
					t.Fatalf("%s: %v", st.Pos(), err)
				}
				r.ErrorCode, r.Error = int(me.Number), me.Message
				m.Status, failed = "failed", true
				rep.Verdict = result.Fail
			}
			m.Statements = append(m.Statements, r)
			if failed {
				break
			}
		}
		rep.Migrations = append(rep.Migrations, m)
	}
	if _, err := conn.ExecContext(ctx, "DROP DATABASE `"+schema+"`"); err != nil {
		t.Fatal(err)
	}
	return rep
}
