#!/usr/bin/env bash
# engines.sh — engine start-up to the first query, median of 5 per engine and
# server: local sandbox (host MariaDB; MySQL 9.7 and MariaDB 11.8 from the
# `make images` roots through chroot) and docker (each rehearse/* image).
# Goals (issue 2): local <= 0.5 s with the template copy, docker <= 10 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
REHEARSE_BENCH=1 go test -count=1 -timeout 30m -run '^TestBenchEngineStartup$' -v ./rehearse/engine/ 2>&1 |
	grep -E '^BENCH|FAIL|--- (FAIL|SKIP)|panic' || true
