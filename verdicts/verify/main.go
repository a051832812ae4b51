// Command verify establishes a verdict-corpus case's truth on a plain server
// with nothing but the MySQL driver: it makes production from the case's
// setup, applies each pending statement verbatim while concurrent writers
// insert, asks the server which ALGORITHM/LOCK each DDL accepts (on a copy
// of production kept in step), runs the previous app's statements against
// the new schema, then the downs in reverse, comparing schema and data with
// the state before each up. It never uses rehearse's code, save the
// thresholds the default gates judge blocking by (rehearse/blocking:
// constants and one comparison), so that its truth and the gates agree on
// what "blocks writers" means.
//
//	go run ./verdicts/verify -dsn 'root@tcp(127.0.0.1:3306)/' -case verdicts/testdata/cases/NAME [-check] [-transcript FILE]
//
// verdicts/verify.sh starts the plain servers and runs it (README.md).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/rehearse/rehearse/verdicts"
)

func main() {
	dsn := flag.String("dsn", "", "a plain server, root@tcp(127.0.0.1:PORT)/ (a throwaway one: the verifier creates databases)")
	caseDir := flag.String("case", "", "the case folder (holding case.yaml)")
	check := flag.Bool("check", false, "exit 1 when what the server says differs from the case's expect")
	transcript := flag.String("transcript", "", "write every statement sent and the server's answer to this file")
	jsonOut := flag.String("json", "", "also write what the server said to this file (for -record)")
	recordFlag := flag.Bool("record", false, "write the observations given as arguments (-json files, one per flavor) into the case's expect: and verified:")
	flag.Parse()
	if *recordFlag {
		if err := record(*caseDir, flag.Args()); err != nil {
			fail(err)
		}
		return
	}
	if *dsn == "" || *caseDir == "" {
		fmt.Fprintln(os.Stderr, "usage: verify -dsn DSN -case DIR [-check] [-transcript FILE]")
		os.Exit(2)
	}
	c, err := verdicts.Load(*caseDir)
	if err != nil {
		fail(err)
	}
	paths, err := verdicts.DefaultPaths(*caseDir)
	if err != nil {
		fail(err)
	}
	tmp, err := os.MkdirTemp("", "verdicts-verify-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(tmp)
	rel, err := c.Release(paths, tmp)
	if err != nil {
		fail(err)
	}
	tr := io.Discard
	if *transcript != "" {
		f, err := os.Create(*transcript)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		tr = f
	}
	cfg, err := mysql.ParseDSN(*dsn)
	if err != nil {
		fail(err)
	}
	cfg.MultiStatements = true
	cfg.ParseTime = false
	v := &verifier{c: c, rel: rel, cfg: cfg, tr: tr, prepared: map[string]string{}}
	ctx := context.Background()
	obs, err := v.run(ctx)
	if err != nil {
		fail(err)
	}
	fmt.Print(obs.render(c))
	if *jsonOut != "" {
		if err := obs.writeJSON(*jsonOut); err != nil {
			fail(err)
		}
	}
	if *check {
		if diffs := obs.compare(c); len(diffs) > 0 {
			fmt.Println("# differs from the case's expect:")
			for _, d := range diffs {
				fmt.Println("#   " + d)
			}
			os.Exit(1)
		}
		fmt.Println("# agrees with the case's expect")
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "verify:", err)
	os.Exit(2)
}

// verifier holds one case's verification.
type verifier struct {
	c     *verdicts.Case
	rel   *verdicts.Release
	cfg   *mysql.Config
	tr    io.Writer
	main  *sql.DB // production
	probe *sql.DB // production's twin for the ALGORITHM ladder (one session)
	// prepared is the text of each statement PREPAREd on the twin (by
	// lower-case name): an EXECUTE is judged as the statement it runs.
	prepared map[string]string
	flavor   string
	version  string
}

func (v *verifier) logf(format string, args ...any) {
	fmt.Fprintf(v.tr, format+"\n", args...)
}

// open connects to database db (multi-statement: setup scripts are sent whole).
func (v *verifier) open(db string) (*sql.DB, error) {
	c := v.cfg.Clone()
	c.DBName = db
	return sql.Open("mysql", c.FormatDSN())
}

// errCode is a server error's number, 0 for none, -1 for another error.
func errCode(err error) int {
	if err == nil {
		return 0
	}
	if me, ok := err.(*mysql.MySQLError); ok {
		return int(me.Number)
	}
	return -1
}

func short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func since(t time.Time) string { return fmt.Sprintf("%.3f s", time.Since(t).Seconds()) }
