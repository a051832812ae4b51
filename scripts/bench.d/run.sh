#!/usr/bin/env bash
# The seed incident end to end at production scale (4.2M investments rows):
# provision, restore, generate, baseline, migrate, app-compat, rollback,
# report, teardown — each phase's time printed. Goal: ≤ 3 minutes in all.
# SCALE=0.1 for a quick look.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin/rehearse}
SCALE=${SCALE:-1.0}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$BIN" scenarios export unique-index-rerun "$dir/s" >/dev/null
start=$(date +%s.%N)
set +e
"$BIN" run --config "$dir/s/rehearse.yaml" --scale "$SCALE" -o "$dir/report.json" --format json >/dev/null 2>"$dir/err"
code=$?
set -e
end=$(date +%s.%N)
if [ $code -gt 1 ]; then cat "$dir/err"; echo "run failed (exit $code)"; exit 1; fi
python3 - "$dir/report.json" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
total = float(sys.argv[3]) - float(sys.argv[2])
print(f"seed incident at scale {r['inputs']['scale']}: {r['inputs']['rows']:,} rows, verdict {r['verdict']}")
for p in r["phases"]:
    print(f"  {p['name']:<11} {p['duration_s']:7.1f} s  {p.get('detail','')[:70]}")
print(f"  {'total':<11} {total:7.1f} s  (goal ≤ 180 s: {'met' if total <= 180 else 'NOT met'})")
PY
