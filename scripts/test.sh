#!/usr/bin/env bash
# The test suite: every package against real servers started by the project's
# own engines. By default the whole suite (REHEARSE_LONG=1): the Mattermost
# corpus on every server, every scenario variant on MariaDB 10.11 and MySQL
# 9.7, round trips and data tests on every server this machine has — about
# 6 minutes here. REHEARSE_QUICK=1 (make test-quick) runs the short subset,
# about 2.5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
export REHEARSE_CACHE_DIR="${REHEARSE_CACHE_DIR:-$HOME/.cache/rehearse}"
if [ "${REHEARSE_QUICK:-}" = 1 ]; then
  unset REHEARSE_LONG
else
  export REHEARSE_LONG=1
fi
go vet ./...
exec go test -count=1 -timeout 25m ./... "$@"
