package migrations

import (
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// Migration is one migration as its runner sees it.
type Migration struct {
	// Version is the version as the file names it ("000012", "1.2",
	// "20240101120000"); "" for a Flyway repeatable migration. For
	// Liquibase it is the change set id, for sql-migrate the file name.
	Version string `json:"version"`
	// Key is the version as the runner's history table records it
	// (golang-migrate/goose/morph: the number without leading zeros; Flyway
	// repeatables: "R:<description>"), so pending = not in history by Key.
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
	// Format is the registry name of the format that read it.
	Format string `json:"format"`
	// Repeatable marks a Flyway R__ migration (re-run when its checksum changes).
	Repeatable bool `json:"repeatable,omitempty"`
	// Author is the Liquibase change set author.
	Author string  `json:"author,omitempty"`
	Up     Script  `json:"up"`
	Down   *Script `json:"down,omitempty"` // nil: the format has no down for it
	// NoTransaction: the runner does not wrap it in a transaction (goose NO
	// TRANSACTION, dbmate transaction:false, ...). MySQL DDL commits
	// implicitly either way; it matters for DML.
	NoTransaction bool `json:"no_transaction,omitempty"`
	// Verify is Sqitch's verify script, run after the up: an error (or a
	// failing check) means the change did not do what it should.
	Verify *Script `json:"verify,omitempty"`
	// Requires and Conflicts are Sqitch's dependencies (change names).
	Requires  []string `json:"requires,omitempty"`
	Conflicts []string `json:"conflicts,omitempty"`

	hasUp   bool   // merge: this value carries the up direction
	dialect string // dialect-suffixed names: the file's dialect ("" = generic)
	order   int    // formats ordered by a plan file: the position in it
}

// Script is one direction of a migration.
type Script struct {
	File string `json:"file"` // path relative to the migrations folder
	Line int    `json:"line"` // first line of the section (1 for a whole file)
	// Statements in execution order; none for a comment-only script.
	Statements []sqlsplit.Statement `json:"statements"`
	// Checksum is the format's checksum of the script when the runner keeps
	// one (Flyway: CRC32 as a signed integer), else a sha256 of the section.
	Checksum string `json:"checksum,omitempty"`

	alt []string // other checksums the runner accepts for the same text
}

// ChecksumMatches reports whether a history's checksum is the up's
// (or one of the variants the runner also accepts, e.g. other line endings).
func (m *Migration) ChecksumMatches(sum string) bool {
	if sum == m.Up.Checksum {
		return true
	}
	for _, a := range m.Up.alt {
		if a == sum {
			return true
		}
	}
	return false
}

// Empty reports a script with no statement (comment-only or blank).
func (s *Script) Empty() bool { return s == nil || len(s.Statements) == 0 }

// Pos is "file:line" of the script.
func (s *Script) Pos() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// ID is "version_name" for messages.
func (m *Migration) ID() string {
	switch {
	case m.Author != "":
		return "changeset " + m.Version + " by " + m.Author
	case m.Repeatable:
		return "R__" + m.Name
	case m.Name == "":
		return m.Version
	}
	return m.Version + "_" + m.Name
}

// Severity of a Problem.
type Severity string

const (
	Warning Severity = "warning"
	Error   Severity = "error"
)

// Problem is something wrong with the migrations, at a file and line.
type Problem struct {
	Code     string   `json:"code"` // "no-down", "empty-down", "duplicate-version", ...
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line,omitempty"`
	Message  string   `json:"message"`
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// LoadError lists the problems that stop a folder from being read.
type LoadError struct {
	Dir      string
	Problems []Problem
}

func (e *LoadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "migrations in %s cannot be read", e.Dir)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Set is a folder's migrations in the runner's order.
type Set struct {
	Dir        string      `json:"dir"`
	Format     string      `json:"format"`
	Detected   string      `json:"detected,omitempty"` // why this format was chosen
	Migrations []Migration `json:"migrations"`
	Problems   []Problem   `json:"problems,omitempty"` // warnings only; errors fail Load
}

// Find returns the migration with the given history key, or nil.
func (s *Set) Find(key string) *Migration {
	for i := range s.Migrations {
		if s.Migrations[i].Key == key {
			return &s.Migrations[i]
		}
	}
	return nil
}
