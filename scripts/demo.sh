#!/usr/bin/env bash
# The main job on the embedded default: rehearse the flagship incident
# (scenario unique-index-rerun: a unique index rebuilt on the 4.2M-row
# investments table, behind a long transaction) on the default engine, and
# print the terminal report and where the HTML and Markdown reports are.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/rehearse}
OUT=${OUT:-out/demo}
export REHEARSE_CACHE_DIR="${REHEARSE_CACHE_DIR:-$HOME/.cache/rehearse}"
"$BIN" scenarios run unique-index-rerun --out-dir "$OUT" --format table,md,html,json,junit
code=$?
echo
echo "HTML report:     $OUT/report.html"
echo "Markdown report: $OUT/report.md"
echo "JSON report:     $OUT/report.json"
# `scenarios run` exits 0 when the scenario reproduced as expected (its
# unsafe variant fails its gates: that is the incident the rehearsal
# catches), 1 when an expectation did not hold, 2 when it could not run.
exit $code
