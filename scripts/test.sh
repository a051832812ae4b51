#!/usr/bin/env bash
# The test suite: every package against real servers started by the project's
# own engines. REHEARSE_LONG=1 adds the long corpus and scale tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export REHEARSE_CACHE_DIR="${REHEARSE_CACHE_DIR:-$HOME/.cache/rehearse}"
go vet ./...
exec go test -count=1 -timeout 25m ./... "$@"
