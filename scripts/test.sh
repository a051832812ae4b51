#!/usr/bin/env bash
# The test suite: every package against real servers started by the project's
# own engines.
#   make test                 the default run: every package on every server,
#                             without the corpus-scale sweeps (under 15 min).
#   REHEARSE_LONG=1 make test the full run (.ci/run, make test-full): adds the
#                             Mattermost corpus on every server, every
#                             scenario variant on MariaDB 10.11 and MySQL 9.7,
#                             every documented command, round trips and data
#                             tests on every server.
# The figures are in README.md (measured by BENCH=walltimes make bench).
#
# The test policy (docs/testing.md): REHEARSE_REQUIRE=all — a server, image
# root, Docker image, browser, tool or corpus a test needs that is missing
# fails the run with what to install; skips happen only where a person asked
# for less. The output is summarised by internal/testsummary: each package's
# result, every failing test's output, then what ran (servers × packages),
# every skip with its reason; an unexpected skip fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export REHEARSE_CACHE_DIR="${REHEARSE_CACHE_DIR:-$HOME/.cache/rehearse}"
export REHEARSE_REQUIRE=all
if [ -n "${REHEARSE_LONG:-}" ]; then
  export REHEARSE_LONG=1
else
  unset REHEARSE_LONG
fi
go vet ./...
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/testsummary" ./internal/testsummary
# Three packages at a time on this 2-core machine kind: most of a package's
# time is spent waiting on its servers (baselines, lock waits, injected
# transactions), so a third package fills the idle cores; with the default
# (GOMAXPROCS, 2) the suite ran 14m21s here on 2026-12-07, past its
# 15-minute budget with the snapshot package still to come.
# REHEARSE_TEST_PACKAGES changes it.
#
# The longest packages first (go test starts packages in the order given, and
# ./... adds the rest once): with three at a time the run then ends with the
# short ones instead of waiting on one long package started last. Longest on
# 2026-12-07: cmd/rehearse (the documented commands, in the full run), run,
# plan, replica, engine (each 4-8 min of tests in the full run at load 11).
first=(./cmd/rehearse ./rehearse/run ./rehearse/plan ./rehearse/replica ./rehearse/engine ./scenarios
  ./rehearse/datagen ./rehearse/datacache ./rehearse/reproduce ./snapshot ./rehearse/confine ./rehearse/restore)
go test -json -count=1 -timeout 25m -p "${REHEARSE_TEST_PACKAGES:-3}" "${first[@]}" ./... "$@" | "$bin/testsummary"
