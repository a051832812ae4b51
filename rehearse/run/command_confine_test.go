package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/confine"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/result"
)

// TestMigrateCommandOnDSN (issue 13, item 1): a --migrate-cmd on the dsn
// engine, a real shell script against a real shared server holding
// another application's database. With an account limited to rehearse_*
// databases, a script that stays in the scratch database passes; with an
// account that can write anywhere (root) the command is refused before
// anything is created, unless --unconfined-migrate-cmd; then a script that
// writes to the other database is detected and stops the rehearsal with
// what changed, and nothing of the rehearsal is left on the server.
func TestMigrateCommandOnDSN(t *testing.T) {
	client := testserver.Tool(t, "mariadb", "mariadb-client")
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			snap := sourceSnapshot(t, target, 200)
			shared := testserver.Start(t, target)
			sdb, err := shared.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer sdb.Close()
			monitor := "SLAVE MONITOR"
			if shared.Flavor == engine.MySQL {
				// The session settings the dsn engine applies
				// (innodb_strict_mode, ...) need SESSION_VARIABLES_ADMIN.
				monitor = "REPLICATION CLIENT, SESSION_VARIABLES_ADMIN"
			}
			execScript(t, sdb, `CREATE DATABASE other;
CREATE TABLE other.t (id INT PRIMARY KEY, v VARCHAR(10));
INSERT INTO other.t VALUES (1, 'keep');
CREATE USER 'rehearse'@'127.0.0.1' IDENTIFIED BY 'Confined-pw1';
GRANT ALL ON `+"`rehearse\\_%`"+`.* TO 'rehearse'@'127.0.0.1';
GRANT `+monitor+` ON *.* TO 'rehearse'@'127.0.0.1';
GRANT SELECT, UPDATE ON performance_schema.setup_instruments TO 'rehearse'@'127.0.0.1';
`)
			confinedDSN := fmt.Sprintf("rehearse:Confined-pw1@tcp(%s:%d)/", shared.Host, shared.Port)
			dsnEngine, _ := engine.New("dsn", engine.Config{})
			dir := t.TempDir()
			script := func(name, sql string) string {
				p := filepath.Join(dir, name+".sh")
				body := "#!/bin/sh\nset -e\nexport MYSQL_PWD=\"$MYSQL_PASSWORD\"\n" + client + ` --protocol=TCP -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" "$MYSQL_DATABASE" -e "` + sql + "\"\n"
				if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
					t.Fatal(err)
				}
				return p
			}
			inScratch := script("in-scratch", "ALTER TABLE investments ADD COLUMN channel VARCHAR(16) NULL")
			escaping := script("escaping", "ALTER TABLE investments ADD COLUMN channel VARCHAR(16) NULL; INSERT INTO other.t VALUES (2, 'written')")
			rehearse := func(dsn, cmd string, unconfined bool, log *strings.Builder) (*result.Report, error) {
				return Run(ctx, Options{Snapshot: snap, Engine: dsnEngine, EngineOptions: engine.Options{DSN: dsn},
					MigrateCommand: &migrations.CommandOptions{Command: cmd}, UnconfinedCommand: unconfined,
					Scale: 1, Seed: 3, LoadRate: 50, Baseline: 500 * time.Millisecond, AppCompatWindow: 500 * time.Millisecond, Log: log})
			}
			scratchLeft := func(when string) {
				t.Helper()
				if n := names(t, sdb, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'rehearse\_%'`); len(n) > 0 {
					t.Errorf("%s: left on the server: %v", when, n)
				}
			}

			// Limited account, the command stays in the scratch database.
			var log strings.Builder
			rep, err := rehearse(confinedDSN, inScratch, false, &log)
			if err != nil {
				t.Fatalf("confined account, command in the scratch database: %v\n%s", err, log.String())
			}
			if len(rep.Migrations) != 1 || rep.Migrations[0].Status != "applied" {
				t.Errorf("migrations %+v, want the command applied", rep.Migrations)
			}
			if !strings.Contains(log.String(), "nothing outside the scratch database changed") {
				t.Errorf("the log does not say the server was checked:\n%s", log.String())
			}
			scratchLeft("confined account")

			// Root: refused before the scratch database is created.
			log.Reset()
			_, err = rehearse(shared.DSN(), inScratch, false, &log)
			var u *confine.Unconfined
			if !errors.As(err, &u) || !strings.Contains(err.Error(), " ON *.*") {
				t.Fatalf("root account without --unconfined-migrate-cmd: %v, want refused for its grants", err)
			}
			scratchLeft("refused")

			// Root at the user's risk, a command that stays: passes.
			log.Reset()
			if _, err := rehearse(shared.DSN(), inScratch, true, &log); err != nil {
				t.Fatalf("root, --unconfined-migrate-cmd, command in the scratch database: %v\n%s", err, log.String())
			}
			if !strings.Contains(log.String(), "at your risk") {
				t.Errorf("no warning about the account:\n%s", log.String())
			}
			scratchLeft("unconfined, in scratch")

			// Root at the user's risk, a command that writes to other.t:
			// detected, reported, exit 2 (an error, not a verdict).
			log.Reset()
			rep, err = rehearse(shared.DSN(), escaping, true, &log)
			var v *confine.Violation
			if !errors.As(err, &v) {
				t.Fatalf("a command writing other.t: %v, want a safety violation\n%s", err, log.String())
			}
			if !strings.Contains(err.Error(), "other.t") {
				t.Errorf("the violation does not name other.t: %v", err)
			}
			if rep == nil || rep.Verdict != result.Error {
				t.Errorf("report verdict %v, want error", rep)
			}
			t.Logf("reported: %v", err)
			scratchLeft("violation")
			var n int
			if err := sdb.QueryRow("SELECT COUNT(*) FROM other.t").Scan(&n); err != nil || n != 2 {
				t.Fatalf("other.t has %d rows (%v): the script's write did not happen, the test proves nothing", n, err)
			}
		})
	}
}
