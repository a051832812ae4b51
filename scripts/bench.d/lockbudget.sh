#!/usr/bin/env bash
# lockbudget.sh — the snapshot's lock budget on production (issue 13, item
# 4): `snapshot --column-stats --exact-counts` of a 1M-row table while a
# DDL (ALTER ... SET DEFAULT, ALGORITHM=INSTANT) is issued on the source over
# and over; each DDL's metadata-lock wait, beside the DDL's own time on the
# idle server, at the default --max-lock-hold (2s) and at 500ms, on MariaDB
# 10.11 and MySQL 9.7; and the sampled column statistics beside a full
# scan's. REHEARSE_LOCK_BUDGET_ROWS=N for another table size.
set -euo pipefail
cd "$(dirname "$0")/../.."
for budget in 2s 500ms; do
	echo "--max-lock-hold $budget"
	REHEARSE_LONG=1 REHEARSE_LOCK_BUDGET=$budget go test -count=1 -timeout 30m -run '^TestLockBudget$' -v ./snapshot/ 2>&1 |
		grep -E 'BENCH|FAIL|--- (FAIL|SKIP)|panic' | sed 's/^ *lockbudget_test.go:[0-9]*: //' || true
done
