#!/usr/bin/env bash
# datagen.sh — synthetic data generation speed (issue 5) on one local MariaDB
# sandbox, every ratio against a baseline measured in the same run:
#   ceiling  LOAD DATA LOCAL of ready files of the same rows with the best
#            strategy any loader has (generate's session settings; the
#            secondary index kept, or dropped and rebuilt as generate does;
#            1 or 2 streams), vs `rehearse generate` on a 4.2M-row 7-column
#            investments table (goal >= 0.9x);
#   sysbench oltp_read_write prepare, 2 tables x 2.1M rows, --threads=2, vs
#            `rehearse generate` on a snapshot of its sbtest tables (goal >= 1.1x);
#   naive    one autocommit INSERT per row (sample, extrapolated rows/s);
#   memory   peak RSS of the generate process (goal <= 200 MB);
#   employees at scale 1.0 (3.9M rows, 6 tables): total time and rows/s;
#   and what each fast path buys (LOAD DATA vs INSERT, checks off vs on,
#   indexes kept vs rebuilt, 2 streams vs 1).
# REHEARSE_BENCH_ROWS=N shrinks the investments table for a quick run.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -x bin/rehearse ]; then export REHEARSE_BIN="$PWD/bin/rehearse"; fi
REHEARSE_BENCH=1 go test -count=1 -timeout 90m -run '^TestBenchDatagen$' -v ./rehearse/datagen/ 2>&1 |
	grep -E '^BENCH|FAIL|--- (FAIL|SKIP)|panic|rehearse generate:|Error' || true
