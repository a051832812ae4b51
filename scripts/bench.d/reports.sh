#!/usr/bin/env bash
# reports.sh — rendering cost of each report format (issue 7) on a large
# run report (200 migrations, 400 statements, a one-hour timeline), each
# as a ratio to json.Marshal of the same document in the same run, and
# each output's size (the HTML chart thins 36,000 points per pixel column).
set -euo pipefail
cd "$(dirname "$0")/../.."
REHEARSE_BENCH=1 go test -count=1 -run '^TestBenchReports$' -v ./reports/ 2>&1 |
	grep -E '^BENCH|FAIL|panic' || true
