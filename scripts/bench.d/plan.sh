#!/usr/bin/env bash
# Bench: statement splitting throughput (goal >= 50 MB/s, printed with the
# ratio to a bytes.Count baseline over the same input) and `rehearse plan`
# on the 120 Mattermost migrations including the schema-only sandbox
# (goal <= 5 s). Needs /work/shared/corpus for the second part.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(go test -run '^$' -bench 'BenchmarkSplit$|BenchmarkReader$|BenchmarkBaseline$' -benchtime 5x ./rehearse/sqlsplit/)
echo "$out" | grep -E '^Benchmark'
split=$(echo "$out" | awk '/^BenchmarkSplit-/ {print $(NF-1)}')
reader=$(echo "$out" | awk '/^BenchmarkReader-/ {print $(NF-1)}')
base=$(echo "$out" | awk '/^BenchmarkBaseline-/ {print $(NF-1)}')
awk -v s="$split" -v r="$reader" -v b="$base" 'BEGIN {
  printf "sqlsplit: Split %.0f MB/s, Reader %.0f MB/s (goal >= 50; %.3f and %.3f of a bytes.Count scan)\n", s, r, s/b, r/b
  if (s < 50 || r < 50) { print "sqlsplit: BELOW GOAL"; }
}'
if [ -d /work/shared/corpus/mattermost-mysql ]; then
  pout=$(go test -run '^$' -bench 'BenchmarkPlanMattermost$' -benchtime 2x -timeout 20m ./rehearse/plan/)
  echo "$pout" | grep -E '^Benchmark' || { echo "$pout"; exit 1; }
  echo "$pout" | awk '/^BenchmarkPlanMattermost/ {
    for (i=1;i<=NF;i++) v[$(i+1)]=$i
    printf "plan: 120 Mattermost migrations incl. schema-only sandbox: %.2f s (goal <= 5 s); sandbox on disk %.2f s (x%.1f); phases: start %.2f s, restore %.2f s, replay %.2f s\n", v["s/plan"], v["s/plan-disk"], v["x-vs-disk"], v["s-start"], v["s-restore"], v["s-replay"]
    if (v["s/plan"] > 5) print "plan: ABOVE GOAL"
  }'
  echo "plan: load average $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine's load changes these figures several-fold)"
else
  echo "plan: corpus absent, skipped"
fi
