package migrations

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// pop reads gobuffalo/pop and Ory's popx SQL migrations (also older
// Authelia releases and many in-house runners):
// {version}_{name}[.{dialect}][.autocommit].{up|down}.sql. One folder holds
// a file per dialect; for each version and direction the runner takes the
// file of its own dialect, else the generic one (no dialect, or "all").
// Files of other dialects are ignored. Versions are digit strings of any
// length (popx uses 14- to 20-digit timestamps); the history table
// (schema_migration) records them as written.
type pop struct{}

func init() { Register(pop{}) }

var popName = regexp.MustCompile(`^([0-9]+)_([^.]+)(?:\.([A-Za-z0-9]+))?(\.autocommit)?\.(up|down)\.sql$`)

// dialects are the dialect names pop and popx know (and "all"), each
// mapped to its canonical name.
var dialects = map[string]string{
	"": "", "mysql": "mysql", "mariadb": "mariadb", "all": "",
	"postgres": "postgres", "postgresql": "postgres", "pg": "postgres",
	"cockroach": "cockroach", "cockroachdb": "cockroach", "crdb": "cockroach",
	"sqlite": "sqlite3", "sqlite3": "sqlite3", "mssql": "sqlserver", "sqlserver": "sqlserver",
}

func (pop) Name() string    { return "pop" }
func (pop) Recursive() bool { return false }

// Claim: a name with a dialect is pop's mark; a plain NNN_name.up.sql fits
// golang-migrate as well (which wins such a folder: it comes first).
func (pop) Claim(f File) Claim {
	m := popName.FindStringSubmatch(f.Base)
	if m == nil {
		return NoClaim
	}
	if _, known := dialects[strings.ToLower(m[3])]; !known {
		return NoClaim // "_v6.0.up.sql": a dot in the name, not a dialect
	}
	if m[3] != "" || m[4] != "" {
		return MarkClaim
	}
	return NameClaim
}

func (pop) Parse(f File) ([]Migration, []Problem) {
	m := popName.FindStringSubmatch(f.Base)
	if m == nil {
		return nil, []Problem{nameProblem(f, "pop", "VERSION_name[.dialect].up.sql / .down.sql, e.g. 20190101000000000001_accounts.mysql.up.sql")}
	}
	dialect, known := dialects[strings.ToLower(m[3])]
	if !known {
		return nil, []Problem{{Code: "bad-name", Severity: Error, File: f.Path,
			Message: fmt.Sprintf("unknown dialect %q (pop reads mysql, mariadb, postgres, cockroach, sqlite3, sqlserver or all; popx refuses the file)", m[3])}}
	}
	s, probs := wholeFile(f)
	mig := Migration{Version: m[1], Key: m[1], Name: m[2], Format: "pop", NoTransaction: m[4] != "", dialect: dialect}
	if m[5] == "up" {
		mig.Up, mig.hasUp = *s, true
	} else {
		mig.Down = s
	}
	return []Migration{mig}, probs
}

// Finish keeps, per version and direction, the file the runner would run.
// A version with a down and no up for this server (Kratos has
// 20191100000008000001_selfservice_verification.mysql.down.sql alone) is
// never applied, so popx never runs its down: it is left out, with a
// warning, where other formats refuse a down without its up.
func (pop) Finish(ms []Migration, opts Options) ([]Migration, []Problem) {
	kept, probs := pickDialect(ms, opts.Flavor, "pop")
	ups := map[string]bool{}
	for _, m := range kept {
		if m.hasUp {
			ups[m.Key] = true
		}
	}
	out := kept[:0]
	for _, m := range kept {
		if !m.hasUp && !ups[m.Key] && m.Down != nil {
			probs = append(probs, Problem{Code: "down-without-up", Severity: Warning, File: m.Down.File, Line: 1,
				Message: fmt.Sprintf("a down migration for version %s without an up for this server: popx never applies the version, so never runs this down (ignored)", m.Version)})
			continue
		}
		out = append(out, m)
	}
	return out, probs
}

func (pop) Less(a, b *Migration) bool { return VersionLess(a.Key, b.Key) }

func (pop) HistoryKey(version, _ string) string { return version }

func (pop) History() History { return History{Readers: []string{"pop"}, Table: "schema_migration"} }

// pickDialect keeps, for each version and direction, the migration of the
// server's dialect: on MariaDB the mariadb file, else the mysql one, else
// the generic one; on MySQL (or an unknown flavor) the mysql file, else
// the generic one (a mariadb file is MariaDB's syntax: never on MySQL).
// Files of other dialects are dropped; a folder left with nothing is an
// error naming its dialects.
func pickDialect(ms []Migration, flavor, format string) ([]Migration, []Problem) {
	rank := func(d string) int {
		switch d {
		case "mariadb":
			if flavor == "mariadb" {
				return 0
			}
			return -2 // MariaDB's file on MySQL: ignored, not "another dialect"
		case "mysql":
			return 1
		case "":
			return 2
		}
		return -1
	}
	type slot struct {
		key string
		up  bool
	}
	best := map[slot]int{} // the best rank present per slot
	others := map[string]bool{}
	for _, m := range ms {
		r := rank(m.dialect)
		if r == -1 {
			others[m.dialect] = true
		}
		if r < 0 {
			continue
		}
		k := slot{m.Key, m.hasUp}
		if b, ok := best[k]; !ok || r < b {
			best[k] = r
		}
	}
	var out []Migration // two files of one rank for a slot stay: merge reports the duplicate
	for _, m := range ms {
		if r := rank(m.dialect); r >= 0 && r == best[slot{m.Key, m.hasUp}] {
			out = append(out, m)
		}
	}
	if len(out) == 0 && len(others) > 0 {
		var names []string
		for d := range others {
			names = append(names, d)
		}
		sort.Strings(names)
		file := ""
		if len(ms) > 0 {
			file = ms[0].scriptFile()
		}
		return nil, []Problem{{Code: "no-dialect", Severity: Error, File: file,
			Message: fmt.Sprintf("every %s file here is for %s: none is for mysql or mariadb, and none is generic (no dialect, or .all.); the runner would run nothing on this server", format, strings.Join(names, ", "))}}
	}
	return out, nil
}

// scriptFile is the file of the migration's up (or down).
func (m *Migration) scriptFile() string {
	if m.hasUp || m.Down == nil {
		return m.Up.File
	}
	return m.Down.File
}
