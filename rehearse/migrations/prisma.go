package migrations

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// prisma reads Prisma Migrate's folder: <timestamp>_<name>/migration.sql,
// one folder per migration, applied in folder-name order. The history
// table _prisma_migrations records the folder name and the SHA-256 of the
// script; Prisma Migrate has no down migrations.
type prisma struct{}

func init() { Register(prisma{}) }

var prismaPath = regexp.MustCompile(`^(([0-9]+)_?([^/]*))/migration\.sql$`)

func (prisma) Name() string    { return "prisma" }
func (prisma) Recursive() bool { return true }

func (prisma) Claim(f File) Claim {
	if prismaPath.MatchString(f.Path) {
		return NameClaim
	}
	return NoClaim
}

func (prisma) Parse(f File) ([]Migration, []Problem) {
	m := prismaPath.FindStringSubmatch(f.Path)
	if m == nil {
		return nil, []Problem{nameProblem(f, "prisma", "<timestamp>_<name>/migration.sql, one folder per migration")}
	}
	s, probs := wholeFile(f)
	s.Checksum, s.alt = prismaChecksums(f.Data)
	return []Migration{{Version: m[2], Key: m[1], Name: m[3], Format: "prisma", Up: *s, hasUp: true}}, probs
}

// prismaChecksums is the script's SHA-256 in hex, as _prisma_migrations
// records it, and the sums of the same text with the other line endings
// (Prisma accepts those: git changes line endings).
func prismaChecksums(data []byte) (string, []string) {
	sum := func(b []byte) string {
		h := sha256.Sum256(b)
		return hex.EncodeToString(h[:])
	}
	lf := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	return sum(data), []string{sum(lf), sum(crlf)}
}

func (prisma) Less(a, b *Migration) bool { return a.Key < b.Key }

func (prisma) HistoryKey(version, _ string) string { return strings.TrimSpace(version) }

func (prisma) History() History {
	return History{Readers: []string{"prisma"}, Table: "_prisma_migrations", Checksum: true,
		ChecksumNote: "prisma migrate dev reports the edit and asks to reset the database"}
}

// NoDowns: Prisma Migrate rolls forward only.
func (prisma) NoDowns() string {
	return "Prisma Migrate has no down migrations (it rolls forward only)"
}
