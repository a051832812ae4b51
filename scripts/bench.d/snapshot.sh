#!/usr/bin/env bash
# snapshot.sh — capture and restore speed (issue 3) on a local MariaDB
# sandbox: a generated 1,000-table schema (goals: capture <= 5 s, restore
# <= 10 s) and the employees schema (capture <= 1 s, restore <= 2 s), each
# beside a baseline measured in the same run (mariadb-dump --no-data for
# capture; for restore, replaying that dump two ways: the real client,
# `mariadb db < dump`, and rehearse's own dump loader, restore.LoadDump),
# and capture memory with a table
# empty vs 200,000 rows (goal: flat). Also runs the round trip with the
# employees, sakila and Mattermost schemas on every server this machine can
# start (REHEARSE_LONG).
set -euo pipefail
cd "$(dirname "$0")/../.."
REHEARSE_BENCH=1 go test -count=1 -timeout 30m -run '^TestBenchSnapshot$' -v ./rehearse/restore/ 2>&1 |
	grep -E '^BENCH|FAIL|--- (FAIL|SKIP)|panic' || true
REHEARSE_LONG=1 go test -count=1 -timeout 30m -run '^(TestRoundTrip|TestRoundTripMattermost)$' -v ./rehearse/restore/ 2>&1 |
	grep -E -- '--- (PASS|FAIL|SKIP)|FAIL|panic' || true
