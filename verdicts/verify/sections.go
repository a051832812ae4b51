package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// migration is one migration as its runner sees it: the up and down texts.
// The verifier reads the folder itself, with a few lines per format, so a
// bug in rehearse's readers cannot hide in the truth.
type migration struct {
	Version string
	Up      string
	UpFile  string
	Down    *string // nil: no down
}

var (
	gmFile      = regexp.MustCompile(`^(\d+)_.+\.(up|down)\.sql$`)
	datedFile   = regexp.MustCompile(`^(\d+)_.+\.sql$`)
	flywayFile  = regexp.MustCompile(`^([VU])([0-9._]+)__.+\.sql$`)
	gooseUp     = regexp.MustCompile(`(?m)^--\s*\+goose\s+Up\b.*$`)
	gooseDown   = regexp.MustCompile(`(?m)^--\s*\+goose\s+Down\b.*$`)
	dbmateUp    = regexp.MustCompile(`(?m)^--\s*migrate:up\b.*$`)
	dbmateDown  = regexp.MustCompile(`(?m)^--\s*migrate:down\b.*$`)
	sqlmigUp    = regexp.MustCompile(`(?m)^--\s*\+migrate\s+Up\b.*$`)
	sqlmigDown  = regexp.MustCompile(`(?m)^--\s*\+migrate\s+Down\b.*$`)
	lbChangeset = regexp.MustCompile(`(?m)^--\s*changeset\s+[^:\s]+:(\S+).*$`)
	lbRollback  = regexp.MustCompile(`(?m)^--\s*rollback\s?(.*)$`)
	popFile     = regexp.MustCompile(`^(\d+)_[^.]+(?:\.([a-z0-9]+))?\.(up|down)\.sql$`)
	atlasFile   = regexp.MustCompile(`^([^_]+)(?:_.*)?\.sql$`)
	prismaDir   = regexp.MustCompile(`^(\d+)_`)
)

// patternFile turns a --migrations-pattern into a regexp: version, direction.
func patternFile(p string) *regexp.Regexp {
	q := regexp.QuoteMeta(p)
	for ph, re := range map[string]string{`\{version\}`: `(?P<version>\d+)`, `\{name\}`: `.+?`, `\{direction\}`: `(?P<direction>up|down)`, `\{dialect\}`: `(?P<dialect>[a-z0-9]+)`} {
		q = strings.Replace(q, ph, re, 1)
	}
	return regexp.MustCompile("^" + q + "$")
}

// readMigrations reads dir in format (pattern: a --migrations-pattern) and
// returns the migrations by version.
func readMigrations(dir, format, pattern string) (map[string]*migration, error) {
	if format == "sqitch" { // sqitch.plan's change lines; deploy/NAME.sql, revert/NAME.sql
		plan, err := os.ReadFile(filepath.Join(dir, "sqitch.plan"))
		if err != nil {
			return nil, err
		}
		out := map[string]*migration{}
		for _, line := range strings.Split(string(plan), "\n") {
			f := strings.Fields(line)
			if len(f) == 0 || strings.ContainsAny(f[0][:1], "%@#") {
				continue
			}
			up, err := os.ReadFile(filepath.Join(dir, "deploy", f[0]+".sql"))
			if err != nil {
				return nil, err
			}
			m := &migration{Version: f[0], Up: string(up), UpFile: "deploy/" + f[0] + ".sql"}
			if down, err := os.ReadFile(filepath.Join(dir, "revert", f[0]+".sql")); err == nil {
				d := string(down)
				m.Down = &d
			}
			out[f[0]] = m
		}
		return out, nil
	}
	if format == "prisma" { // <timestamp>_<name>/migration.sql, no downs
		out := map[string]*migration{}
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			m := prismaDir.FindStringSubmatch(e.Name())
			if !e.IsDir() || m == nil {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name(), "migration.sql"))
			if err != nil {
				return nil, err
			}
			out[m[1]] = &migration{Version: m[1], Up: string(b), UpFile: e.Name() + "/migration.sql"}
		}
		return out, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	out := map[string]*migration{}
	get := func(v string) *migration {
		if out[v] == nil {
			out[v] = &migration{Version: v}
		}
		return out[v]
	}
	read := func(n string) (string, error) {
		b, err := os.ReadFile(filepath.Join(dir, n))
		return string(b), err
	}
	for _, n := range names {
		text, err := read(n)
		if err != nil {
			return nil, err
		}
		switch format {
		case "golang-migrate":
			m := gmFile.FindStringSubmatch(n)
			if m == nil {
				continue
			}
			mg := get(m[1])
			if m[2] == "up" {
				mg.Up, mg.UpFile = text, n
			} else {
				mg.Down = &text
			}
		case "goose", "dbmate", "sql-migrate":
			m := datedFile.FindStringSubmatch(n)
			if m == nil {
				continue
			}
			marks := map[string][2]*regexp.Regexp{
				"goose": {gooseUp, gooseDown}, "dbmate": {dbmateUp, dbmateDown}, "sql-migrate": {sqlmigUp, sqlmigDown},
			}[format]
			up, down := marks[0], marks[1]
			v := m[1]
			if format == "sql-migrate" {
				v = n // sql-migrate's id is the file name
			}
			mg := get(v)
			mg.UpFile = n
			u := up.FindStringIndex(text)
			if u == nil {
				return nil, fmt.Errorf("%s: no up marker", n)
			}
			d := down.FindStringIndex(text)
			if d == nil {
				mg.Up = text[u[1]:]
				continue
			}
			if d[0] < u[0] {
				return nil, fmt.Errorf("%s: the down marker comes before the up marker", n)
			}
			mg.Up = text[u[1]:d[0]]
			rest := text[d[1]:]
			mg.Down = &rest
		case "flyway":
			m := flywayFile.FindStringSubmatch(n)
			if m == nil {
				continue
			}
			mg := get(strings.ReplaceAll(m[2], "_", "."))
			if m[1] == "V" {
				mg.Up, mg.UpFile = text, n
			} else {
				mg.Down = &text
			}
		case "liquibase":
			if !strings.HasPrefix(strings.TrimSpace(text), "--liquibase formatted sql") {
				continue
			}
			marks := lbChangeset.FindAllStringSubmatchIndex(text, -1)
			for i, mk := range marks {
				end := len(text)
				if i+1 < len(marks) {
					end = marks[i+1][0]
				}
				body := text[mk[1]:end]
				mg := get(text[mk[2]:mk[3]])
				mg.UpFile = n
				var rb []string
				for _, r := range lbRollback.FindAllStringSubmatch(body, -1) {
					rb = append(rb, r[1])
				}
				mg.Up = lbRollback.ReplaceAllString(body, "")
				if len(rb) > 0 {
					down := strings.Join(rb, "\n")
					if strings.TrimSpace(down) == "not required" || strings.TrimSpace(down) == "empty" {
						down = ""
					}
					mg.Down = &down
				}
			}
		case "pop", "pattern":
			// One file per dialect: mysql's, else the generic one (none, or
			// "all"); other dialects are not for this server.
			var version, dialect, direction string
			if format == "pop" {
				m := popFile.FindStringSubmatch(n)
				if m == nil {
					continue
				}
				version, dialect, direction = m[1], m[2], m[3]
			} else {
				re := patternFile(pattern)
				m := re.FindStringSubmatch(n)
				if m == nil {
					continue
				}
				direction = "up"
				for i, g := range re.SubexpNames() {
					switch g {
					case "version":
						version = m[i]
					case "dialect":
						dialect = m[i]
					case "direction":
						direction = m[i]
					}
				}
			}
			if dialect != "" && dialect != "mysql" && dialect != "all" {
				continue
			}
			mg := get(version)
			if direction == "up" {
				if mg.UpFile == "" || dialect == "mysql" {
					mg.Up, mg.UpFile = text, n
				}
			} else if mg.Down == nil || dialect == "mysql" {
				t := text
				mg.Down = &t
			}
		case "atlas": // VERSION_name.sql in name order; atlas.sum and directives aside; no downs
			m := atlasFile.FindStringSubmatch(n)
			if m == nil {
				continue
			}
			mg := get(m[1])
			mg.Up, mg.UpFile = text, n
		default:
			return nil, fmt.Errorf("format %q: the verifier reads golang-migrate, goose, dbmate, sql-migrate, flyway, liquibase, pop, pattern, prisma and atlas", format)
		}
	}
	return out, nil
}
