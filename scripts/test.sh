#!/usr/bin/env bash
# The test suite: every package against real servers started by the project's
# own engines. By default the whole suite (REHEARSE_LONG=1): the Mattermost
# corpus on every server, every scenario variant on MariaDB 10.11 and MySQL
# 9.7, round trips and data tests on every server — 16 min 31 s here
# (2026-12-07, a fresh clone on a quiet machine).
# REHEARSE_QUICK=1 (make test-quick) runs the short subset.
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
if [ "${REHEARSE_QUICK:-}" = 1 ]; then
  unset REHEARSE_LONG
else
  export REHEARSE_LONG=1
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
go test -json -count=1 -timeout 25m -p "${REHEARSE_TEST_PACKAGES:-3}" ./... "$@" | "$bin/testsummary"
