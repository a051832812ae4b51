#!/bin/sh
# The flagship scenario (issue 8, what `make demo` runs) at its default
# scale, unsafe then fixed: each phase's time, the DDL's lock wait and the
# writers' longest stall against the injected 6 s transaction, the unique
# index rebuild's duration, p99 during each statement vs the baseline.
set -eu
cd "$(dirname "$0")/../.."
export REHEARSE_CACHE_DIR="${REHEARSE_CACHE_DIR:-$HOME/.cache/rehearse}"
echo "== scenarios: flagship (unique-index-rerun) at its default scale"
go test -run '^$' -bench 'BenchmarkFlagship' -benchtime=1x -timeout 20m ./scenarios/ | grep -vE '^(goos|goarch|pkg|cpu|PASS)'
