package migrations

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"

	"github.com/rehearse/rehearse/internal/testcorpus"
	"github.com/rehearse/rehearse/rehearse"
)

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"9", "20190101000000000001", -1}, {"20190101000000000002", "20190101000000000001", 1},
		{"000012", "12", 0}, {"1.9", "1.10", -1}, {"1.2", "1.2.1", -1}, {"99999999999999999999999", "100000000000000000000000", -1},
		{"V2", "V10", -1}, {"a", "b", -1}, {"", "1", -1},
	} {
		if got := CompareVersions(c.a, c.b); got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := CompareVersions(c.b, c.a); got != -c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

// A popx folder: 20-digit versions, one file per dialect, generic files,
// .all. shared downs, empty files, autocommit.
func TestPopDialects(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"20190101000000000001_accounts.mysql.up.sql":     "CREATE TABLE accounts (id int);",
		"20190101000000000001_accounts.postgres.up.sql":  "CREATE TABLE accounts (id serial);",
		"20190101000000000001_accounts.sqlite3.up.sql":   "CREATE TABLE accounts (id integer);",
		"20190101000000000001_accounts.down.sql":         "DROP TABLE accounts;",
		"20190101000000000002_index.up.sql":              "CREATE INDEX ix ON accounts (id);",
		"20190101000000000002_index.mariadb.up.sql":      "CREATE INDEX IF NOT EXISTS ix ON accounts (id);",
		"20190101000000000002_index.all.down.sql":        "DROP INDEX ix ON accounts;",
		"20190101000000000003_noop.mysql.up.sql":         "",
		"20190101000000000003_noop.mysql.down.sql":       "",
		"9_first.mysql.autocommit.up.sql":                "CREATE TABLE first (id int);",
		"20190101000000000004_pg_only.postgres.up.sql":   "CREATE EXTENSION x;",
		"20190101000000000004_pg_only.postgres.down.sql": "DROP EXTENSION x;",
	})
	s := mustLoad(t, dir, "")
	if s.Format != "pop" || keys(s) != "9 20190101000000000001 20190101000000000002 20190101000000000003" {
		t.Fatalf("format %s (%s) keys %q", s.Format, s.Detected, keys(s))
	}
	if s.Migrations[0].NoTransaction != true || s.Migrations[1].Up.File != "20190101000000000001_accounts.mysql.up.sql" ||
		s.Migrations[1].Down.File != "20190101000000000001_accounts.down.sql" {
		t.Fatalf("migrations %+v", s.Migrations[:2])
	}
	if m := s.Migrations[2]; m.Up.File != "20190101000000000002_index.up.sql" || m.Down.File != "20190101000000000002_index.all.down.sql" {
		t.Fatalf("on MySQL the generic up: %s / %v", m.Up.File, m.Down)
	}
	maria, err := Load(context.Background(), Options{Dir: dir, Flavor: "mariadb"})
	if err != nil || maria.Migrations[2].Up.File != "20190101000000000002_index.mariadb.up.sql" {
		t.Fatalf("on MariaDB the mariadb file: %v %+v", err, maria)
	}
	if !s.Migrations[3].Up.Empty() || !s.Migrations[3].Down.Empty() {
		t.Fatalf("empty files are no-ops: %+v", s.Migrations[3])
	}
	// Kratos keeps downs whose version has no up for this server
	// (20191100000008000001_selfservice_verification.mysql.down.sql alone,
	// and a postgres-only up with a mysql down): popx never applies the
	// version, so never runs the down. Ignored with a warning, not refused.
	dir = writeDir(t, map[string]string{
		"20191100000001000000_identities.mysql.up.sql":                    "CREATE TABLE identities (id char(36) PRIMARY KEY);",
		"20191100000001000000_identities.mysql.down.sql":                  "DROP TABLE identities;",
		"20191100000008000001_selfservice_verification.mysql.down.sql":    "DROP TABLE selfservice_verification_requests;",
		"20191100000008000001_selfservice_verification.postgres.down.sql": "DROP TABLE selfservice_verification_requests;",
		"20191100000009000000_pg.postgres.up.sql":                         "CREATE EXTENSION x;",
		"20191100000009000000_pg.mysql.down.sql":                          "SELECT 1;",
	})
	s = mustLoad(t, dir, "")
	if keys(s) != "20191100000001000000" {
		t.Fatalf("keys %q, want the one version with an up", keys(s))
	}
	for _, f := range []string{"20191100000008000001_selfservice_verification.mysql.down.sql", "20191100000009000000_pg.mysql.down.sql"} {
		if !hasProblem(s.Problems, "down-without-up", f, 1) {
			t.Errorf("no down-without-up warning for %s: %v", f, s.Problems)
		}
	}
}

func TestPopBadInput(t *testing.T) {
	// Only other dialects: the runner would run nothing here.
	ps := loadErr(t, writeDir(t, map[string]string{
		"1_a.postgres.up.sql": "SELECT 1;", "1_a.sqlite3.up.sql": "SELECT 1;", "2_b.postgres.up.sql": "SELECT 2;",
	}), "")
	if len(ps) != 1 || ps[0].Code != "no-dialect" || !strings.Contains(ps[0].Message, "postgres, sqlite3") {
		t.Fatalf("problems %v", ps)
	}
	ps = loadErr(t, writeDir(t, map[string]string{"1_a.mysql.up.sql": "SELECT 1;", "1_b.mysql.up.sql": "SELECT 2;", "2_c.oracle.up.sql": "SELECT 3;"}), "")
	if !hasProblem(ps, "bad-name", "2_c.oracle.up.sql", 0) {
		t.Fatalf("unknown dialect: %v", ps)
	}
	ps = loadErr(t, writeDir(t, map[string]string{"1_a.mysql.up.sql": "SELECT 1;", "1_b.mysql.up.sql": "SELECT 2;"}), "")
	if len(ps) != 1 || ps[0].Code != "duplicate-version" {
		t.Fatalf("duplicate version: %v", ps)
	}
}

// golang-migrate still refuses what its runner refuses, and says which
// format the name fits.
func TestGolangMigrateLongVersion(t *testing.T) {
	ps := loadErr(t, writeDir(t, map[string]string{"20190101000000000001_accounts.up.sql": "SELECT 1;"}), "golang-migrate")
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "64-bit") {
		t.Fatalf("problems %v", ps)
	}
}

// TestPatternAuthelia reads Authelia's folder with --migrations-pattern.
func TestPatternAuthelia(t *testing.T) {
	dir := testcorpus.Dir(t, "authelia-mysql")
	_, err := Load(context.Background(), Options{Dir: dir})
	if err == nil || !strings.Contains(rehearse.Hint(err), "--migrations-pattern 'V{version}.{name}.{direction}.sql'") {
		t.Fatalf("unrecognised folder: %v, hint %q", err, rehearse.Hint(err))
	}
	s, err := Load(context.Background(), Options{Dir: dir, Pattern: "V{version}.{name}.{direction}.sql"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != "pattern" || len(s.Migrations) != 26 || s.Migrations[0].Key != "1" || s.Migrations[25].Key != "26" || s.Migrations[25].Name != "StorageAADRowScoped" {
		t.Fatalf("format %s, %d migrations, keys %s", s.Format, len(s.Migrations), keys(s))
	}
	for _, m := range s.Migrations {
		if m.Down == nil {
			t.Errorf("%s has no down", m.ID())
		}
	}
}

func TestPatternBadInput(t *testing.T) {
	for _, p := range []string{"V{version}.{name}.up", "{name}.sql", "{version}_{nom}.sql", "{version}{version}.sql"} {
		if _, err := Load(context.Background(), Options{Dir: writeDir(t, map[string]string{"1.sql": ""}), Pattern: p}); err == nil || rehearse.Hint(err) == "" {
			t.Errorf("pattern %q: %v", p, err)
		}
	}
}

func TestPatternDuplicateAndDialect(t *testing.T) {
	_, err := Load(context.Background(), Options{Dir: writeDir(t, map[string]string{"V1.a.up.sql": "SELECT 1;", "V01.b.up.sql": "SELECT 2;"}),
		Pattern: "V{version}.{name}.{direction}.sql"})
	if err == nil || !strings.Contains(err.Error(), "duplicate") && !strings.Contains(err.Error(), "also used") {
		t.Fatalf("duplicate version: %v", err)
	}
	// Authelia's older layout: one folder, a file per dialect, .all. downs.
	s, err := Load(context.Background(), Options{Dir: writeDir(t, map[string]string{
		"V0001.Initial_Schema.mysql.up.sql": "CREATE TABLE a (id int);", "V0001.Initial_Schema.postgres.up.sql": "CREATE TABLE a (id serial);",
		"V0001.Initial_Schema.all.down.sql": "DROP TABLE a;",
	}), Pattern: "V{version}.{name}.{dialect}.{direction}.sql"})
	if err != nil || len(s.Migrations) != 1 || s.Migrations[0].Up.File != "V0001.Initial_Schema.mysql.up.sql" || s.Migrations[0].Down == nil {
		t.Fatalf("dialect pattern: %v %+v", err, s)
	}
}

func TestSuggestPattern(t *testing.T) {
	for name, want := range map[string]string{
		"V0001.Initial_Schema.up.sql":       "V{version}.{name}.{direction}.sql",
		"V0001.Initial_Schema.mysql.up.sql": "V{version}.{name}.{dialect}.{direction}.sql",
		"0001-create-users.sql":             "{version}-{name}.sql",
	} {
		if got := suggestPattern([]File{{Base: name}}); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

func TestPrisma(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"migration_lock.toml":                    "provider = \"mysql\"\n",
		"20240101000000_init/migration.sql":      "-- CreateTable\nCREATE TABLE `User` (`id` INTEGER NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`));\n",
		"20240201000000_add_email/migration.sql": "ALTER TABLE `User` ADD COLUMN `email` VARCHAR(191) NULL;\r\n",
		"20231201000000_early/migration.sql":     "CREATE TABLE early (id int);\n",
	})
	s := mustLoad(t, dir, "")
	if s.Format != "prisma" || keys(s) != "20231201000000_early 20240101000000_init 20240201000000_add_email" {
		t.Fatalf("format %s keys %q", s.Format, keys(s))
	}
	m := s.Migrations[2]
	// sha256 of the file as written, and of the same text with LF endings.
	hexsum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	text := "ALTER TABLE `User` ADD COLUMN `email` VARCHAR(191) NULL;"
	if m.Up.Checksum != hexsum(text+"\r\n") || !m.ChecksumMatches(hexsum(text+"\n")) || m.ChecksumMatches(hexsum(text+" \n")) {
		t.Fatalf("checksum %q", m.Up.Checksum)
	}
	var noDown int
	for _, p := range s.Problems {
		if p.Code == "no-down" {
			noDown++
		}
	}
	if noDown != 1 {
		t.Fatalf("no downs said once: %v", s.Problems)
	}
}

// TestAtlasSum: atlas.sum as Atlas's own module writes it matches ours, and
// an edited, added or removed file is named as atlas migrate validate does.
func TestAtlasSum(t *testing.T) {
	files := map[string]string{
		"20240101000000_init.sql":  "CREATE TABLE t (id int);\n",
		"20240102000000_proc.sql":  "-- atlas:delimiter -- end\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END\n-- end\nCALL p()\n-- end\n",
		"20240103000000_notx.sql":  "-- atlas:txmode none\n\nALTER TABLE t ADD COLUMN c int;\n",
		"20240104000000_blank.sql": "-- atlas:delimiter \\n\\n\nCREATE TABLE u (id int)\n\nCREATE TABLE v (id int)\n",
	}
	dir := writeDir(t, files)
	ld, err := migrate.NewLocalDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ld.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate.WriteSumFile(ld, sum); err != nil {
		t.Fatal(err)
	}
	real, _ := os.ReadFile(filepath.Join(dir, AtlasSumFile))
	ours, err := AtlasSum(dir)
	if err != nil || string(ours) != string(real) {
		t.Fatalf("our sum:\n%s\natlas's:\n%s", ours, real)
	}
	s := mustLoad(t, dir, "")
	if s.Format != "atlas" || !strings.Contains(s.Detected, "atlas.sum") || len(s.Problems) != 1 {
		t.Fatalf("format %s (%s) problems %v", s.Format, s.Detected, s.Problems)
	}
	if got := texts(&s.Migrations[1].Up); len(got) != 2 || !strings.HasPrefix(got[0], "CREATE PROCEDURE") || got[1] != "CALL p()" || s.Migrations[1].Up.Statements[1].Line != 4 {
		t.Fatalf("delimiter -- end: %q", got)
	}
	if !s.Migrations[2].NoTransaction || s.Migrations[1].NoTransaction {
		t.Fatalf("txmode: %+v", s.Migrations)
	}
	if got := texts(&s.Migrations[3].Up); len(got) != 2 || got[1] != "CREATE TABLE v (id int)" || s.Migrations[3].Up.Statements[1].Line != 4 {
		t.Fatalf("delimiter \\n\\n: %q %+v", got, s.Migrations[3].Up.Statements)
	}
	// Tamper: atlas's own Validate and ours name the same file.
	os.WriteFile(filepath.Join(dir, "20240103000000_notx.sql"), []byte("-- atlas:txmode none\n\nALTER TABLE t ADD COLUMN c bigint;\n"), 0o644)
	var ce *migrate.ChecksumError
	if err := migrate.Validate(ld); err == nil || !asChecksum(err, &ce) {
		t.Fatalf("atlas validate: %v", err)
	}
	s = mustLoad(t, dir, "")
	if len(s.Problems) < 1 || s.Problems[0].Code != "sum-mismatch" || s.Problems[0].Line != ce.Line ||
		!strings.Contains(s.Problems[0].Message, ce.File+" was edited") {
		t.Fatalf("problems %v; atlas says %s line %d (%v)", s.Problems, ce.File, ce.Line, ce.Reason)
	}
}

func asChecksum(err error, ce **migrate.ChecksumError) bool {
	c, ok := err.(*migrate.ChecksumError)
	*ce = c
	return ok
}

func TestSqitch(t *testing.T) {
	plan := "%syntax-version=1.0.0\n%project=shop\n\nappschema 2024-01-01T00:00:00Z A <a@x> # schema\n" +
		"users [appschema] 2024-01-02T00:00:00Z A <a@x> # users\n@v1 2024-01-03T00:00:00Z A <a@x> # tag\n" +
		"flips [users !oldflips other:thing] 2024-01-04T00:00:00Z A <a@x> # flips\n"
	files := map[string]string{
		"sqitch.plan": plan, "sqitch.conf": "[core]\n\tengine = mysql\n",
		"deploy/appschema.sql": "-- Deploy shop:appschema\nBEGIN;\nCREATE TABLE app (id int);\nCOMMIT;\n", "revert/appschema.sql": "DROP TABLE app;",
		"deploy/users.sql": "CREATE TABLE users (id int);", "revert/users.sql": "DROP TABLE users;", "verify/users.sql": "SELECT id FROM users WHERE 0;",
		"deploy/flips.sql": "CREATE TABLE flips (id int);", "verify/flips.sql": "SELECT id FROM flips WHERE 0;",
	}
	s := mustLoad(t, writeDir(t, files), "")
	if s.Format != "sqitch" || keys(s) != "appschema users flips" || s.Migrations[1].Verify == nil || s.Migrations[2].Down != nil ||
		strings.Join(s.Migrations[2].Requires, ",") != "users" || strings.Join(s.Migrations[2].Conflicts, ",") != "oldflips" {
		t.Fatalf("format %s keys %q %+v", s.Format, keys(s), s.Migrations)
	}
	if len(s.Migrations[0].Up.Checksum) != 40 {
		t.Fatalf("script_hash is a SHA-1: %q", s.Migrations[0].Up.Checksum)
	}
	bad := map[string]string{}
	for k, v := range files {
		bad[k] = v
	}
	bad["sqitch.plan"] = plan + "late [nothere] 2024-01-05T00:00:00Z A <a@x>\nclash [!users] 2024-01-05T00:00:00Z A <a@x>\n"
	bad["deploy/clash.sql"] = "SELECT 1;"
	delete(bad, "deploy/users.sql")
	ps := loadErr(t, writeDir(t, bad), "")
	for _, want := range []string{"change users has no deploy/users.sql", "late requires nothere", "clash conflicts with users", "late has no deploy"} {
		found := false
		for _, p := range ps {
			found = found || strings.Contains(p.Message, want)
		}
		if !found {
			t.Errorf("missing %q in %v", want, ps)
		}
	}
}
