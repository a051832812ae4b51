#!/usr/bin/env bash
# chaos.sh — reliability under kills (issue 13): rehearsals of the seed
# incident killed at a random moment of a random phase, SIGKILL and SIGINT
# alternating, 50 on the local engine and 50 on the docker engine
# (REHEARSE_CHAOS_RUNS per engine, REHEARSE_CHAOS_ENGINES=local,docker,
# REHEARSE_CHAOS_SEED to replay one). After each run: sandbox folders,
# server processes, containers and listening ports left behind; whether
# `rehearse doctor` lists them; what is left after `rehearse doctor --clean`
# (goal: 0). Takes about 25 minutes (23.6 on a loaded 2-core machine).
set -euo pipefail
cd "$(dirname "$0")/../.."
REHEARSE_BENCH=1 go test -count=1 -timeout 120m -run '^TestChaos$' -v ./cmd/rehearse/ 2>&1 |
	grep -E 'BENCH|REHEARSE_CHAOS_SEED|chaos (local|docker) #|FAIL|--- (FAIL|SKIP)|panic' | sed 's/^ *chaos_test.go:[0-9]*: //' || true
