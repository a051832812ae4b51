#!/bin/sh
# reproduce.sh — what a strategy fix does behind the incident's blocker
# (issue 19, docs/reproduce.md): the seed incident caused and captured on
# MariaDB 10.11, reproduced, then rehearsed with --fix strategy=pt-osc
# (TestReproduceFixStrategy); prints the incident's and the fix's waits,
# writers blocked and stalls. Then the seed incident as reported, writers
# queued for minutes (testdata/seed-incident-minutes, captured by hand):
# reproduced, and --fix lock-wait-timeout=5s (TestReproduceSeedIncidentMinutes,
# about 2.5 minutes).
set -u
cd "$(dirname "$0")/../.."
export REHEARSE_CACHE_DIR="${REHEARSE_CACHE_DIR:-$HOME/.cache/rehearse}"
echo "== reproduce: --fix strategy=pt-osc behind the seed incident's long transaction"
REHEARSE_BENCH=1 REHEARSE_REQUIRE=all go test -count=1 -run '^TestReproduceFixStrategy$' -v -timeout 10m ./rehearse/reproduce/ >/tmp/reproduce-bench.$$ 2>&1
status=$?
grep -E 'incident rehearsed: |--- (PASS|FAIL)|live_test.go:[0-9]+: (with pt-osc|the fix)' /tmp/reproduce-bench.$$ | sed 's/^[[:space:]]*//'
echo "== reproduce: the seed incident held for minutes, --fix lock-wait-timeout=5s"
REHEARSE_BENCH=1 REHEARSE_REQUIRE=all go test -count=1 -run '^TestReproduceSeedIncidentMinutes$' -v -timeout 15m ./rehearse/reproduce/ >/tmp/reproduce-bench.$$ 2>&1
status2=$?
grep -E 'seed incident \(minutes\)|--- (PASS|FAIL)|minutes_test.go:[0-9]+: ' /tmp/reproduce-bench.$$ | sed 's/^[[:space:]]*//'
rm -f /tmp/reproduce-bench.$$
[ $status -eq 0 ] || exit $status
exit $status2
