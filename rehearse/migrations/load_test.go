package migrations

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testcorpus"
	"github.com/rehearse/rehearse/rehearse"
)

func TestLoadNoMigrations(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"empty":       {"README.md": "nothing"},
		"code":        {"20240101-create-users.js": "module.exports = {}"},
		"no format":   {"notes.sql": "SELECT 1;"},
		"only a dir ": {"sub/1_a.up.sql": "SELECT 1;"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(context.Background(), Options{Dir: writeDir(t, files)})
			if !errors.Is(err, ErrNoMigrations) || rehearse.Hint(err) == "" {
				t.Fatalf("err = %v (hint %q)", err, rehearse.Hint(err))
			}
			if name == "code" && !strings.Contains(rehearse.Hint(err), "--migrate-cmd") {
				t.Fatalf("hint %q does not point at --migrate-cmd", rehearse.Hint(err))
			}
		})
	}
	_, err := Load(context.Background(), Options{Dir: filepath.Join(t.TempDir(), "missing")})
	if err == nil || rehearse.Hint(err) == "" {
		t.Fatalf("missing folder: %v", err)
	}
}

func TestLoadNotText(t *testing.T) {
	ps := loadErr(t, writeDir(t, map[string]string{
		"1_a.up.sql": "SELECT 1;\nSELECT '\x00';\n",
		"2_b.up.sql": "SELECT 1;\n\nSELECT '\xff\xfe';\n",
		"3_c.up.sql": "\xef\xbb\xbfSELECT 1;",
	}), "")
	if !hasProblem(ps, "not-text", "1_a.up.sql", 2) || !hasProblem(ps, "not-text", "2_b.up.sql", 3) || len(ps) != 2 {
		t.Fatalf("problems %v", ps)
	}
}

func TestLoadHugeFile(t *testing.T) {
	dir := writeDir(t, map[string]string{"1_a.up.sql": "SELECT 1;"})
	p := filepath.Join(dir, "2_big.up.sql")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(50 << 20); err != nil { // sparse: no 50 MB written
		t.Fatal(err)
	}
	f.Close()
	ps := loadErr(t, dir, "")
	if !hasProblem(ps, "file-too-large", "2_big.up.sql", 1) || !strings.Contains(ps[0].Message, "52.4 MB") {
		t.Fatalf("problems %v", ps)
	}
	if _, err := Load(context.Background(), Options{Dir: dir, MaxFileBytes: 64 << 20}); err == nil || !strings.Contains(err.Error(), "not a text file") {
		t.Fatalf("with a higher limit the zero bytes are the problem: %v", err)
	}
}

func TestLoadUnknownFormat(t *testing.T) {
	_, err := Load(context.Background(), Options{Dir: writeDir(t, map[string]string{"1_a.up.sql": "SELECT 1;"}), Format: "rails"})
	if err == nil || !strings.Contains(rehearse.Hint(err), "golang-migrate") {
		t.Fatalf("err %v hint %q", err, rehearse.Hint(err))
	}
}

func TestFormatOverride(t *testing.T) {
	// goose-annotated files named like golang-migrate ups: --format decides.
	dir := writeDir(t, map[string]string{"1_a.up.sql": "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n"})
	if s := mustLoad(t, dir, "golang-migrate"); len(s.Migrations[0].Up.Statements) != 2 {
		t.Fatalf("golang-migrate reads the whole file: %q", texts(&s.Migrations[0].Up))
	}
	if s := mustLoad(t, dir, "goose"); len(s.Migrations[0].Up.Statements) != 1 || s.Migrations[0].Down == nil {
		t.Fatalf("goose reads sections: %+v", s.Migrations[0])
	}
	if s := mustLoad(t, dir, ""); s.Format != "goose" {
		t.Fatalf("detected %s: a content marker beats a name", s.Format)
	}
}

func TestFormatsRegistered(t *testing.T) {
	want := "atlas dbmate flyway golang-migrate goose liquibase pattern pop prisma sqitch sql-migrate"
	if got := strings.Join(Formats(), " "); got != want {
		t.Fatalf("formats %q, want %q", got, want)
	}
}

// TestMattermostCorpus loads the 240 real files: 120 migrations in version
// order, each with a down, and the comment-only downs flagged.
func TestMattermostCorpus(t *testing.T) {
	dir := testcorpus.Dir(t, "mattermost-mysql")
	s := mustLoad(t, dir, "")
	if s.Format != "golang-migrate" || len(s.Migrations) != 120 {
		t.Fatalf("format %s, %d migrations", s.Format, len(s.Migrations))
	}
	for i, m := range s.Migrations[1:] {
		if !VersionLess(s.Migrations[i].Key, m.Key) || m.Down == nil {
			t.Fatalf("order or down at %s", m.ID())
		}
	}
	var empty []string
	for _, p := range s.Problems {
		if p.Code == "empty-down" {
			empty = append(empty, p.File[:6])
		}
	}
	// 13 comment-only downs; 5 of them belong to comment-only ups (no-ops).
	if got := strings.Join(empty, " "); got != "000074 000076 000077 000088 000095 000105 000107 000114" {
		t.Fatalf("empty downs flagged: %s", got)
	}
}
