package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/internal/testcorpus"
	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// The commands the README and every command's --help show, run as written
// (TestDocumentedCommands). Only what a reader would replace is replaced:
// the servers' host names become the stand-ins the test starts (a sandbox
// standing for production, one for staging, one per generate target), and
// "..." in `rehearse run ... --format json | rehearse report -` becomes the
// README's own run arguments. The folder the commands run in holds what the
// examples name: prod.json and staging.json (snapshots of the stand-ins),
// migrations/ and db/ (the release, goose), rehearse.yaml, load.yaml,
// report.json, schema.sql and app.sql; auth.json and storage/migrations
// (Authelia's, from the shared corpus) for the in-house runner's examples.

// docExampleRE finds shell blocks in Markdown.
var docExampleRE = regexp.MustCompile("(?s)```(?:sh|bash|shell)\n(.*?)```")

// docCommand is one documented command line.
type docCommand struct {
	where string // "README.md:51", "rehearse plan --help"
	line  string // as written, continuation lines joined
}

// commandLines splits shell text into command lines: continuation lines
// joined, comment lines and blank lines dropped, a trailing comment cut.
func commandLines(text string) []string {
	text = regexp.MustCompile(`\\\r?\n\s*`).ReplaceAllString(text, " ")
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(cutComment(l))
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// cutComment removes a shell comment (a # outside quotes that starts a
// word).
func cutComment(l string) string {
	var quote rune
	for i, r := range l {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t'):
			return l[:i]
		}
	}
	return l
}

// readmeCommands are the rehearse command lines of README.md's shell
// blocks (make targets are the Makefile's, not rehearse's).
func readmeCommands(t *testing.T) []docCommand {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []docCommand
	for _, m := range docExampleRE.FindAllSubmatchIndex(b, -1) {
		line := 1 + strings.Count(string(b[:m[2]]), "\n")
		for _, l := range commandLines(string(b[m[2]:m[3]])) {
			if strings.HasPrefix(l, "make ") {
				continue
			}
			out = append(out, docCommand{fmt.Sprintf("README.md:%d", line), l})
		}
	}
	return out
}

// helpCommands are the Example lines of every command of the CLI.
func helpCommands() []docCommand {
	var out []docCommand
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, l := range commandLines(c.Example) {
			out = append(out, docCommand{c.CommandPath() + " --help", l})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&ioStreams{}))
	return out
}

// subcommand is the rehearse command a line runs first ("run", "scenarios").
func subcommand(line string) string {
	words := shellWords(line)
	for i, w := range words {
		if w == "rehearse" && i+1 < len(words) {
			return words[i+1]
		}
	}
	return ""
}

// docOrder is the order the commands start in: as a reader meets them
// (each runs in its own copy of the folder, which holds what they read).
var docOrder = []string{"version", "doctor", "snapshot", "plan", "load-profile", "run", "compare", "report", "diff", "capacity", "generate", "sandbox", "scenarios", "reproduce"}

func TestDocumentedCommandsFound(t *testing.T) {
	cmds := append(readmeCommands(t), helpCommands()...)
	seen := map[string]bool{}
	for _, c := range cmds {
		sub := subcommand(c.line)
		if !strings.Contains(c.line, "rehearse ") || sub == "" {
			t.Errorf("%s: %q runs no rehearse command", c.where, c.line)
		}
		seen[sub] = true
	}
	for _, sub := range docOrder {
		if !seen[sub] {
			t.Errorf("no documented example of rehearse %s", sub)
		}
	}
	if len(cmds) < 40 {
		t.Errorf("found only %d documented commands", len(cmds))
	}
}

// docWorld is what the documented commands run against.
type docWorld struct {
	base, bin  string         // the documented folder (copied for each command: folder), the binary
	prod       *engine.Server // stands in for db.prod, db-prod, db
	staging    *engine.Server // stands in for staging
	env        []string
	mu         sync.Mutex
	transcript strings.Builder
}

// docProduction is production: two databases, goose's history at 3, rows,
// and the accounts the examples connect with (reader, rehearse: the
// least-privilege snapshot grant of docs/snapshot-format.md).
var docProduction = []string{
	"CREATE DATABASE app",
	"CREATE TABLE app.customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL, name VARCHAR(80) NOT NULL, city VARCHAR(40) NULL, UNIQUE KEY uq_email (email))",
	"CREATE TABLE app.orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL, status VARCHAR(16) NOT NULL DEFAULT 'new', created_at DATETIME NOT NULL, " +
		"KEY ix_customer (customer_id), CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES app.customers (id))",
	"CREATE TABLE app.investments (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, fund VARCHAR(12) NOT NULL, amount DECIMAL(12,2) NOT NULL, day DATE NOT NULL, KEY ix_customer (customer_id))",
	"CREATE TABLE app.goose_db_version (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, version_id BIGINT NOT NULL, is_applied TINYINT(1) NOT NULL, tstamp TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP)",
	"INSERT INTO app.goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1), (2, 1), (3, 1)",
	"INSERT INTO app.customers (email, name, city) SELECT CONCAT('c', seq, '@example.com'), CONCAT('Customer ', seq), ELT(1 + seq % 4, 'Lyon', 'Graz', 'Porto', 'Turku') FROM app.seq_1_to_2000",
	"INSERT INTO app.orders (customer_id, total, status, created_at) SELECT 1 + seq % 2000, (seq % 997) / 10, ELT(1 + seq % 3, 'new', 'paid', 'shipped'), '2024-01-01' + INTERVAL seq MINUTE FROM app.seq_1_to_20000",
	"INSERT INTO app.investments (customer_id, fund, amount, day) SELECT 1 + seq % 2000, ELT(1 + seq % 3, 'EQ1', 'BD2', 'MM3'), seq % 5000, '2024-01-01' + INTERVAL seq % 400 DAY FROM app.seq_1_to_10000",
	"CREATE DATABASE billing",
	"CREATE TABLE billing.invoices (id BIGINT AUTO_INCREMENT PRIMARY KEY, order_id BIGINT NOT NULL, amount DECIMAL(10,2) NOT NULL, issued_at DATETIME NOT NULL)",
	"INSERT INTO billing.invoices (order_id, amount, issued_at) SELECT seq, (seq % 997) / 10, '2024-01-01' + INTERVAL seq MINUTE FROM billing.seq_1_to_5000",
	"ANALYZE TABLE app.customers, app.orders, app.investments, billing.invoices",
}

// docAuth is the in-house runner's production the Authelia examples name:
// database auth at Authelia's migration 1 (its V0001 from the shared
// corpus), recorded in Authelia's own table migrations (version_after).
// Its release, storage/migrations, is Authelia's V0001 to V0003.
var docAuth = []string{
	"CREATE DATABASE auth",
	"CREATE TABLE auth.migrations (id INT AUTO_INCREMENT PRIMARY KEY, applied TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, version_before INT NULL, version_after INT NOT NULL, application_version VARCHAR(128) NOT NULL)",
	"INSERT INTO auth.migrations (version_before, version_after, application_version) VALUES (NULL, 1, 'v4.33.0')",
}

// snapshotGrant is docs/snapshot-format.md's grant for a user.
func snapshotGrant(user string) []string {
	return []string{
		"GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON app.* TO " + user,
		"GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON billing.* TO " + user,
		"GRANT SELECT ON mysql.proc TO " + user,
		"GRANT SELECT ON performance_schema.* TO " + user,
	}
}

// docMigrations is the release (goose): 1-3 applied, 4 and 5 pending.
var docMigrations = map[string]string{
	"00001_create_customers.sql": "-- +goose Up\nCREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL, name VARCHAR(80) NOT NULL, city VARCHAR(40) NULL, UNIQUE KEY uq_email (email));\n\n-- +goose Down\nDROP TABLE customers;\n",
	"00002_create_orders.sql": "-- +goose Up\nCREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL, status VARCHAR(16) NOT NULL DEFAULT 'new', created_at DATETIME NOT NULL,\n" +
		"  KEY ix_customer (customer_id), CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id));\n\n-- +goose Down\nDROP TABLE orders;\n",
	"00003_create_investments.sql":   "-- +goose Up\nCREATE TABLE investments (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, fund VARCHAR(12) NOT NULL, amount DECIMAL(12,2) NOT NULL, day DATE NOT NULL, KEY ix_customer (customer_id));\n\n-- +goose Down\nDROP TABLE investments;\n",
	"00004_index_investment_day.sql": "-- +goose Up\nCREATE INDEX ix_day ON investments (day);\n\n-- +goose Down\nDROP INDEX ix_day ON investments;\n",
	"00005_order_note.sql":           "-- +goose Up\nALTER TABLE orders ADD COLUMN note VARCHAR(200) NULL;\n\n-- +goose Down\nALTER TABLE orders DROP COLUMN note;\n",
}

// docConfig is the folder's rehearse.yaml (docs/config.md).
const docConfig = "snapshot: prod.json\nmigrations: migrations\nscale: 0.1\nload:\n  rate: 100\n  baseline: 2s\ngates:\n  max-writer-stall: 2s\n"

func execSQL(t *testing.T, srv *engine.Server, stmts ...string) {
	t.Helper()
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func newDocWorld(t *testing.T) *docWorld {
	t.Helper()
	w := &docWorld{base: t.TempDir(), bin: rehearseBinary(t)}
	w.prod = testserver.Start(t, testserver.LocalMariaDB())
	w.staging = testserver.Start(t, testserver.LocalMariaDB())
	execSQL(t, w.prod, docProduction...)
	execSQL(t, w.prod, docAuth...)
	authelia := testcorpus.Dir(t, "authelia-mysql")
	authDB, err := w.prod.Open("auth")
	if err != nil {
		t.Fatal(err)
	}
	defer authDB.Close()
	v1, err := sqlsplit.Split(testcorpus.File(t, "authelia-mysql/V0001.Initial_Schema.up.sql"), sqlsplit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range v1 {
		if _, err := authDB.Exec(st.Text); err != nil {
			t.Fatalf("Authelia's V0001: %v", err)
		}
	}
	execSQL(t, w.prod, "CREATE USER reader@'127.0.0.1' IDENTIFIED BY 'secret'", "CREATE USER rehearse@'127.0.0.1' IDENTIFIED BY 'secret'")
	execSQL(t, w.prod, snapshotGrant("reader@'127.0.0.1'")...)
	execSQL(t, w.prod, snapshotGrant("rehearse@'127.0.0.1'")...)
	// Staging: the same release applied by hand in another order, fewer
	// rows, a column production does not have.
	staging := append([]string{}, docProduction[:len(docProduction)-1]...)
	staging = append(staging, "DELETE FROM app.orders WHERE id > 2000", "ALTER TABLE app.customers ADD COLUMN phone VARCHAR(30) NULL",
		"ANALYZE TABLE app.customers, app.orders, app.investments, billing.invoices",
		"CREATE USER rehearse@'127.0.0.1'", "CREATE USER me@'127.0.0.1' IDENTIFIED BY 'secret'",
		"GRANT ALL PRIVILEGES ON `rehearse\\_%`.* TO me@'127.0.0.1'")
	execSQL(t, w.staging, staging...)
	execSQL(t, w.staging, snapshotGrant("rehearse@'127.0.0.1'")...)

	binDir := filepath.Join(t.TempDir(), "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(w.bin, filepath.Join(binDir, "rehearse")); err != nil {
		t.Fatal(err)
	}
	w.env = append(os.Environ(), "PATH="+binDir+":"+os.Getenv("PATH"), "REHEARSE_CACHE_DIR="+testserver.CacheDir(),
		"GITHUB_STEP_SUMMARY="+filepath.Join(t.TempDir(), "step-summary.md"), "REHEARSE_SOURCE_DSN=", "REHEARSE_TARGET_DSN=", "REHEARSE_DSN=")
	for _, d := range []string{"migrations", "db"} {
		if err := os.MkdirAll(filepath.Join(w.base, d), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, body := range docMigrations {
			if err := os.WriteFile(filepath.Join(w.base, d, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.MkdirAll(filepath.Join(w.base, "storage", "migrations"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"V0001.Initial_Schema", "V0002.WebAuthn", "V0003.WebAuthnKIDLength"} {
		for _, d := range []string{"up", "down"} {
			b, err := os.ReadFile(filepath.Join(authelia, v+"."+d+".sql"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(w.base, "storage", "migrations", v+"."+d+".sql"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// schema.sql is `mysqldump --no-data --databases app`; app.sql the
	// same without the database (--database app names it).
	var ddl strings.Builder
	for _, s := range docProduction {
		if strings.HasPrefix(s, "CREATE TABLE app.") {
			ddl.WriteString(strings.ReplaceAll(s, "app.", "") + ";\n")
		}
	}
	for name, body := range map[string]string{"rehearse.yaml": docConfig, "schema.sql": "CREATE DATABASE app;\nUSE app;\n" + ddl.String(), "app.sql": ddl.String()} {
		if err := os.WriteFile(filepath.Join(w.base, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// schema/ is a declarative target (Skeema's layout: a file per table)
	// for --target-schema: production's tables, customers with one column
	// more and orders without its status column (a destructive change).
	if err := os.MkdirAll(filepath.Join(w.base, "schema"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range docProduction {
		if !strings.HasPrefix(s, "CREATE TABLE app.") {
			continue
		}
		name := strings.Fields(strings.TrimPrefix(s, "CREATE TABLE app."))[0]
		body := strings.ReplaceAll(s, "app.", "")
		switch name {
		case "customers":
			body = strings.Replace(body, "(", "(loyalty_tier TINYINT NULL, ", 1)
		case "orders":
			body = regexp.MustCompile(`,\s*status [^,]*`).ReplaceAllString(body, "")
		}
		if err := os.WriteFile(filepath.Join(w.base, "schema", name+".sql"), []byte(body+";\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// An incident's evidence (captured from a sandbox's pile-up on
	// app.investments: rehearse/evidence/testdata), a split release, a
	// deploy log.
	ev := filepath.Join("..", "..", "rehearse", "evidence", "testdata")
	for dst, srcs := range map[string][]string{
		"incident": {"mariadb/processlist.table.txt", "mariadb/innodbstatus.txt", "mariadb/digests.csv"},
		"pt-stalk": {"mariadb/pt-stalk"},
		"logs":     {"deploy/golang-migrate-verbose.log"},
	} {
		if err := os.MkdirAll(filepath.Join(w.base, dst), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, src := range srcs {
			if out, err := exec.Command("cp", "-a", filepath.Join(ev, src), filepath.Join(w.base, dst)).CombinedOutput(); err != nil {
				t.Fatalf("copy %s: %v\n%s", src, err, out)
			}
		}
	}
	if out, err := exec.Command("cp", "-a", filepath.Join(w.base, "migrations"), filepath.Join(w.base, "migrations-split")).CombinedOutput(); err != nil {
		t.Fatalf("copy migrations: %v\n%s", err, out)
	}
	// What the examples take as already there: production's and staging's
	// snapshots, a load profile, a saved report.
	w.must(t, "rehearse snapshot --dsn '"+w.prod.DSN()+"' --databases app,billing --column-stats -o prod.json")
	w.must(t, "rehearse snapshot --dsn '"+w.staging.DSN()+"' --databases app,billing --column-stats -o staging.json")
	w.must(t, "rehearse snapshot --dsn '"+w.prod.DSN()+"' --databases auth --history-table migrations --history-version-column version_after -o auth.json")
	w.must(t, "rehearse load-profile --config rehearse.yaml -o load.yaml")
	w.must(t, "rehearse run --config rehearse.yaml -o report.json")
	// A scenario folder for scenarios run --dir (an exported one: a saved
	// reproduction has the same layout; the documented evidence is not this
	// release's incident, so it is not saved).
	w.must(t, "rehearse scenarios export mdl-pileup ./scenarios/incident-2026-12")
	return w
}

// must runs a setup command line; it must not exit 2.
func (w *docWorld) must(t *testing.T, line string) {
	t.Helper()
	if code, out := w.shell(t, w.base, line, nil); code == 2 || code < 0 {
		t.Fatalf("setup %q: exit %d\n%s", line, code, out)
	}
}

// addr is a server's host:port.
func addr(s *engine.Server) string { return fmt.Sprintf("127.0.0.1:%d", s.Port) }

// substitute replaces what a reader replaces in a documented line.
func (w *docWorld) substitute(line string, target *engine.Server) string {
	r := strings.NewReplacer(
		"db.prod:3306", addr(w.prod), "db-prod:3306", addr(w.prod), "(db:3306)", "("+addr(w.prod)+")",
		"staging:3306", addr(w.staging),
		"rehearse run ... ", "rehearse run --snapshot prod.json --migrations ./migrations ",
	)
	line = r.Replace(line)
	if target != nil {
		line = strings.ReplaceAll(line, "127.0.0.1:3306", addr(target))
	}
	return line
}

// shell runs line with bash in the folder; env adds variables. It returns
// the exit code and the combined output.
func (w *docWorld) shell(t *testing.T, dir, line string, env []string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", line)
	cmd.Dir, cmd.Env = dir, append(append([]string{}, w.env...), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	w.log(line, code, string(out))
	return code, string(out)
}

func (w *docWorld) log(line string, code int, out string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fmt.Fprintf(&w.transcript, "$ %s\n%s[exit %d]\n\n", line, out, code)
}

// background starts line (a command that runs until Ctrl-C: rehearse
// sandbox), waits until it prints its DSN, and returns that DSN and a stop
// function (Ctrl-C; it must exit 0).
func (w *docWorld) background(t *testing.T, dir, line string, env []string) (string, func() (int, string)) {
	t.Helper()
	cmd := exec.Command("bash", "-c", line)
	cmd.Dir, cmd.Env = dir, append(append([]string{}, w.env...), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errBuf lockedBuffer
	cmd.Stderr = &errBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	dsnRE := regexp.MustCompile(`"dsn":"([^"]+)"|^DSN: (\S+)`)
	found := make(chan string, 1)
	var outBuf lockedBuffer
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			outBuf.Write([]byte(sc.Text() + "\n"))
			if m := dsnRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1] + m[2]
			}
		}
		close(found)
	}()
	stop := func() (int, string) {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(2 * time.Minute):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			err = <-done
		}
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		out := outBuf.String() + errBuf.String()
		w.log(line, code, out)
		return code, out
	}
	select {
	case dsn, ok := <-found:
		if ok {
			return dsn, stop
		}
	case <-time.After(5 * time.Minute):
	}
	code, out := stop()
	t.Fatalf("%s: no DSN printed (exit %d)\n%s", line, code, out)
	return "", nil
}

// TestDocumentedCommands runs every command README.md and the --help
// examples show, as written, against real servers (see the top of this
// file). A command may pass (0) or give a verdict (1: a gate, an error
// finding, drift); it must never fail to run (2).
func TestDocumentedCommands(t *testing.T) {
	testserver.Long(t)
	requireLocalMariaDB(t)
	testserver.Tool(t, "jq", "jq")
	w := newDocWorld(t)
	t.Cleanup(func() { // after the parallel subtests
		f := filepath.Join(os.TempDir(), "rehearse-documented-commands.txt")
		_ = os.WriteFile(f, []byte(w.transcript.String()), 0o644)
		t.Logf("every command and its output: %s", f)
	})
	cmds := append(readmeCommands(t), helpCommands()...)
	rank := map[string]int{}
	for i, s := range docOrder {
		rank[s] = i
	}
	sort.SliceStable(cmds, func(i, j int) bool { return rank[subcommand(cmds[i].line)] < rank[subcommand(cmds[j].line)] })
	seen := map[string]bool{}
	for _, c := range cmds {
		if seen[c.line] { // README.md and several --help show some commands alike
			continue
		}
		seen[c.line] = true
		t.Run(c.where+": "+c.line, func(t *testing.T) {
			t.Parallel() // each in its own folder: -parallel of them at once
			w.runDocumented(t, w.folder(t), c)
		})
	}
}

// folder is a fresh copy of the documented folder for one command: what
// one example writes (out/, ./repro) does not meet the next.
func (w *docWorld) folder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", w.base+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy the folder: %v\n%s", err, out)
	}
	return dir
}

func (w *docWorld) runDocumented(t *testing.T, dir string, c docCommand) {
	sub := subcommand(c.line)
	env := []string{"DSN=" + w.prod.DSN()}
	if strings.Contains(c.line, "--engine docker") || strings.Contains(c.line, "--image ") {
		if !engine.DockerStatus(t.Context(), "").Reachable {
			testserver.Missing(t, "a Docker daemon", "start Docker (docs/engines.md)")
		}
	}
	switch sub {
	case "sandbox":
		dsn, stop := w.background(t, dir, w.substitute(c.line, nil), env)
		if dsn == "" {
			t.Errorf("no DSN")
		}
		if code, out := stop(); code != 0 {
			t.Errorf("%s: %s: exit %d after Ctrl-C, want 0\n%s", c.where, c.line, code, out)
		}
		return
	case "generate":
		// Each generate example fills its own target: a sandbox restored
		// from prod.json, as the README's flow makes one.
		dsn, stop := w.background(t, dir, "rehearse sandbox --engine local --snapshot prod.json", nil)
		defer func() {
			if code, out := stop(); code != 0 {
				t.Errorf("the target sandbox: exit %d\n%s", code, out)
			}
		}()
		target := dsnServer(t, dsn)
		if strings.Contains(c.line, "app=app_copy") {
			db, err := sql.Open("mysql", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, s := range []string{"CREATE DATABASE app_copy", "CREATE TABLE app_copy.customers LIKE app.customers", "CREATE TABLE app_copy.orders LIKE app.orders",
				"ALTER TABLE app_copy.orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES app_copy.customers (id)",
				"CREATE TABLE app_copy.investments LIKE app.investments", "CREATE TABLE app_copy.goose_db_version LIKE app.goose_db_version",
				"INSERT INTO app_copy.goose_db_version SELECT * FROM app.goose_db_version"} {
				if _, err := db.Exec(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
		}
		env = []string{"DSN=" + dsn}
		line := w.substitute(c.line, target)
		if code, out := w.shell(t, dir, line, env); code != 0 {
			t.Errorf("%s: %s: exit %d, want 0\n%s", c.where, line, code, out)
		}
		return
	}
	if sub == "reproduce" && strings.Contains(c.line, "--save-scenario") {
		// The folder a reproduction is saved into does not exist yet (the
		// world holds an exported scenario there for scenarios run --dir).
		if err := os.RemoveAll(filepath.Join(dir, "scenarios")); err != nil {
			t.Fatal(err)
		}
	}
	line := w.substitute(c.line, nil)
	code, out := w.shell(t, dir, line, env)
	if code != 0 && code != 1 {
		t.Errorf("%s: %s: exit %d\n%s", c.where, line, code, out)
	}
	if strings.Contains(out, "panic:") || strings.Contains(out, "goroutine ") {
		t.Errorf("%s: %s: crashed\n%s", c.where, line, out)
	}
	t.Logf("exit %d", code)
}

// dsnServer is the address part of a sandbox DSN as a Server, for
// substitute.
func dsnServer(t *testing.T, dsn string) *engine.Server {
	t.Helper()
	m := regexp.MustCompile(`tcp\(127\.0\.0\.1:(\d+)\)`).FindStringSubmatch(dsn)
	if m == nil {
		t.Fatalf("DSN %q: no loopback port", dsn)
	}
	var port int
	fmt.Sscan(m[1], &port)
	return &engine.Server{Port: port}
}
