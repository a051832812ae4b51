// Command testsummary reads `go test -json` on stdin and keeps the run
// readable and honest: it prints each package's result line as it ends,
// the whole output of every failing test and every build error, then a
// summary — the servers each package ran on (from testserver's "server"
// lines), every skipped test with its reason — ending with one line:
//
//	PASS: 812 tests passed, 0 failed in 31 packages; servers×packages: local-mariadb×17 …; skipped: 6 on request, 0 unexpected; 5m57s
//
// It exits 1 when a test or build failed, no package ran, or a test was
// skipped for a reason nobody asked for (a skip whose message does not
// start with testserver.DeselectedPrefix). scripts/test.sh runs it.
package main

import (
	"fmt"
	"os"
)

func main() {
	s := newSummary(os.Stdout)
	if err := s.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	s.write()
	if !s.ok() {
		os.Exit(1)
	}
}
