#!/bin/sh
# The verdict-accuracy corpus (verdicts/README.md): every case rehearsed on
# MariaDB 10.11 and MySQL 9.7 with the default gates; prints, per flavor,
# the false passes and false fails against the truth established by hand,
# and the other mismatches. The test fails while known defects remain open
# only if one is unlisted or stale; the figures are printed either way.
set -u
cd "$(dirname "$0")/../.."
export REHEARSE_CACHE_DIR="${REHEARSE_CACHE_DIR:-$HOME/.cache/rehearse}"
echo "== verdicts: the verdict-accuracy corpus, default gates"
REHEARSE_LONG=1 REHEARSE_VERDICTS=all go test -count=1 -run '^TestVerdicts$' -v -timeout 30m ./verdicts/ >/tmp/verdicts-bench.$$ 2>&1
status=$?
grep -E '^\s+verdicts: ' /tmp/verdicts-bench.$$ | sed 's/^[[:space:]]*//'
if [ $status -ne 0 ]; then
  grep -E 'not in known-defects|no longer reproduces|NOT JUDGED' /tmp/verdicts-bench.$$ | sed 's/^[[:space:]]*//' | head -20
  echo "(TestVerdicts failed: see the lines above)"
fi
rm -f /tmp/verdicts-bench.$$
exit $status
