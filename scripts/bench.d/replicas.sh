#!/usr/bin/env bash
# replicas.sh — what replicas cost a rehearsal (issue 14):
# 1. provisioning: the seed incident (unique-index-rerun) at SCALE (0.1)
#    rehearsed twice from the same data cache entry, with --replicas 0 and
#    --replicas 1: the replicas phase (clean shutdown of the filled
#    sandbox, start of the primary and the replica on copies of its
#    datadir, wiring) and the whole run's time. Goal: one replica adds at
#    most 3 s.
# 2. the heartbeat writer and lag sampler's cost to the primary's write
#    throughput (TestBenchHeartbeatOverhead). Goal: at most 2%.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin/rehearse}
SCALE=${SCALE:-0.1}
ENGINE=${ENGINE:-local}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$BIN" scenarios export unique-index-rerun "$dir/s" >/dev/null 2>&1
# A first run fills the data cache, so that both measured runs start from it.
"$BIN" run --config "$dir/s/rehearse.yaml" --engine "$ENGINE" --scale "$SCALE" --replicas 0 -o "$dir/warm.json" --format json >/dev/null 2>"$dir/err" || [ $? -eq 1 ] || { cat "$dir/err"; exit 1; }
for n in 0 1; do
	start=$(date +%s.%N)
	"$BIN" run --config "$dir/s/rehearse.yaml" --engine "$ENGINE" --scale "$SCALE" --replicas $n -o "$dir/r$n.json" --format json >/dev/null 2>"$dir/err" || [ $? -eq 1 ] || { cat "$dir/err"; exit 1; }
	end=$(date +%s.%N)
	echo "$start $end" >"$dir/t$n"
done
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
tot, rep = {}, {}
for n in (0, 1):
    r = json.load(open(f"{d}/r{n}.json"))
    s, e = map(float, open(f"{d}/t{n}").read().split())
    tot[n] = e - s
    rep[n] = sum(p["duration_s"] for p in r["phases"] if p["name"] == "replicas")
    rows = r["inputs"]["rows"]
    extra = ""
    if n:
        rp = r.get("replication") or {}
        extra = f"; replicas phase {rep[n]:.2f} s ({rp.get('shape','')}: shutdown {rp.get('shutdown_s',0):.2f} s, start {rp.get('start_s',0):.2f} s, wiring {rp.get('wire_s',0):.2f} s)"
    print(f"BENCH replicas={n} seed incident at scale {r['inputs']['scale']} ({rows:,} rows), verdict {r['verdict']}: run {tot[n]:.1f} s{extra}")
add = tot[1] - tot[0]
print(f"BENCH one replica adds {add:+.1f} s to the run, {rep[1]:.2f} s of it provisioning (goal ≤ 3 s of provisioning: {'met' if rep[1] <= 3 else 'NOT met'})")
PY
REHEARSE_BENCH=1 go test -count=1 -timeout 20m -run '^TestBenchHeartbeatOverhead$' -v ./rehearse/replica/ 2>&1 |
	grep -E '^BENCH|FAIL|--- (FAIL|SKIP)|panic' || true
