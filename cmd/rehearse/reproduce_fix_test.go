package main

import (
	"strings"
	"testing"
)

// TestReproduceFixStrategyValue: --fix strategy= takes the names rehearse
// run --strategy takes; anything else, or cmd without --osc-cmd, is exit 2
// naming what to give, before any server starts.
func TestReproduceFixStrategyValue(t *testing.T) {
	seed := "../../scenarios/library/unique-index-rerun"
	base := []string{"reproduce", "--snapshot", seed + "/production.json", "--migrations", seed + "/migrations",
		"--evidence", "../../rehearse/reproduce/testdata/seed-incident", "--engine", "local"}
	for fix, says := range map[string]string{
		"strategy=gh-ost": `"gh-ost" is not a strategy: use one of native, pt-osc, online-copy, cmd`,
		"strategy=cmd":    "--fix strategy=cmd: the cmd strategy needs --osc-cmd",
	} {
		code, _, errOut := runRehearse(t, nil, append(base, "--fix", fix)...)
		if code != 2 || !strings.Contains(errOut, says) {
			t.Errorf("--fix %s: exit %d, want 2 saying %q:\n%s", fix, code, says, errOut)
		}
	}
}
