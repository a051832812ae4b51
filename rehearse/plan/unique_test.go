package plan_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/plan/rules"
	"github.com/rehearse/rehearse/snapshot"
)

// TestUniqueFromStatistics: on a real server (MariaDB 10.11, MySQL 9.7), a
// table whose email column holds duplicates, whose ref column is unique
// and whose (status, tier) pairs outnumber what an ENUM of two and a
// TINYINT can hold. Captured with column statistics, the plan (no
// sandbox: statistics only) reports RH110 as an error exactly for the keys
// the server then refuses with 1062, and nothing for the one it builds.
func TestUniqueFromStatistics(t *testing.T) {
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			srv := testserver.Start(t, target)
			db, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, q := range []string{
				"CREATE DATABASE app",
				"CREATE TABLE app.orders (id INT NOT NULL PRIMARY KEY, email VARCHAR(64) NULL, ref VARCHAR(16) NOT NULL, status ENUM('open','paid') NOT NULL, tier TINYINT NOT NULL)",
				// 1,000 rows: every 50th email repeats an earlier one, a few are NULL.
				"INSERT INTO app.orders SELECT n, CASE WHEN n % 97 = 0 THEN NULL WHEN n % 50 = 0 THEN CONCAT('u', n - 1, '@x') ELSE CONCAT('u', n, '@x') END, CONCAT('R', n), IF(n % 2 = 0, 'open', 'paid'), n % 100 " +
					"FROM (SELECT a.i * 100 + b.i * 10 + c.i + 1 AS n FROM (SELECT 0 i UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6 UNION SELECT 7 UNION SELECT 8 UNION SELECT 9) a, " +
					"(SELECT 0 i UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6 UNION SELECT 7 UNION SELECT 8 UNION SELECT 9) b, " +
					"(SELECT 0 i UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6 UNION SELECT 7 UNION SELECT 8 UNION SELECT 9) c) nums",
				"ANALYZE TABLE app.orders",
			} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			snap, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"app"}, ColumnStats: true})
			if err != nil {
				t.Fatal(err)
			}
			ups := map[string]string{
				"000001_email":  "CREATE UNIQUE INDEX uq_email ON orders (email);",
				"000002_ref":    "ALTER TABLE orders ADD UNIQUE KEY uq_ref (ref);",
				"000003_pair":   "ALTER TABLE orders ADD UNIQUE (status, tier);",
				"000004_modify": "ALTER TABLE orders MODIFY email VARCHAR(64) NULL UNIQUE;",
			}
			dir := t.TempDir()
			for name, up := range ups {
				for suffix, body := range map[string]string{".up.sql": up, ".down.sql": "SELECT 1;"} {
					if err := os.WriteFile(filepath.Join(dir, name+suffix), []byte(body+"\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			set, err := migrations.Load(ctx, migrations.Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			p, err := plan.Build(ctx, plan.Options{Snapshot: snap, Migrations: set, Rules: rules.All()})
			if err != nil {
				t.Fatal(err)
			}
			// The ground truth: each statement on the server itself.
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.ExecContext(ctx, "USE app"); err != nil {
				t.Fatal(err)
			}
			for _, m := range set.Migrations {
				q := m.Up.Statements[0].Text
				_, err := conn.ExecContext(ctx, q)
				var me *mysql.MySQLError
				fails := errors.As(err, &me) && me.Number == 1062
				if err != nil && !fails {
					t.Fatalf("%s: %v", q, err)
				}
				var f *plan.Finding
				for _, g := range at(p, m.Key) {
					if g.Code == codes.UniqueDuplicates {
						f = &g
					}
				}
				switch {
				case fails && (f == nil || f.Severity != plan.SevError):
					t.Errorf("%s: the server refuses it with 1062, the plan says %+v", q, f)
				case !fails && f != nil:
					t.Errorf("%s: the server builds it, the plan says %s %s", q, f.Severity, f.Message)
				case f != nil:
					t.Logf("%s: %s", m.Key, f.Message)
					if !strings.Contains(f.Recommendation, "HAVING COUNT(*) > 1 LIMIT 20") {
						t.Errorf("%s: no query listing the duplicates: %s", m.Key, f.Recommendation)
					}
				}
				if err == nil && strings.Contains(q, "UNIQUE KEY uq_ref") {
					// drop it again so later statements see the snapshot's table
					if _, err := conn.ExecContext(ctx, "ALTER TABLE orders DROP INDEX uq_ref"); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, f := range p.Findings {
				if f.Code == codes.UniqueLargeTable {
					t.Errorf("RH102 on a 1,000-row table: %s", f.Message)
				}
			}
		})
	}
}

// at is the plan's findings at migration key, one per place (a grouped
// finding's own place and message).
func at(p *plan.Plan, key string) []plan.Finding {
	var out []plan.Finding
	for _, f := range p.Findings {
		for _, pl := range f.Places() {
			if pl.Migration != key {
				continue
			}
			one := f
			one.Migration, one.File, one.Line, one.Statements = pl.Migration, pl.File, pl.Line, nil
			if pl.Message != "" {
				one.Message = pl.Message
			}
			out = append(out, one)
		}
	}
	return out
}
