#!/usr/bin/env bash
# cache.sh — the data cache (issue 16), every figure against a baseline of
# the same run on the same machine:
#   seed     the seed incident (scenarios run unique-index-rerun) at scale
#            1.0 (5.05M rows): the first run (restores, generates, keeps the
#            datadir) vs the second (starts on a copy); and a --no-cache run.
#            Goal: second <= 25 s and >= 2.5x faster than the first.
#   demo     the same at make demo's scale (the scenario's, 0.1): the second
#            run. Goal <= 10 s.
#   capacity rehearse capacity, 3 scales x 3 repeats: --no-cache vs a warm
#            cache (and the cold run that fills it). Goal >= 2x.
#   copy     the cache's copy of the scale-1.0 entry (~1 GB) vs `cp -a`.
# The data cache lives in a fresh folder (the templates are the usual ones),
# so the first runs miss. ENGINE (default: auto, as make demo) and SCALE
# (default 1.0) change the seed runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin/rehearse}
[ -x "$BIN" ] || { mkdir -p "$(dirname "$BIN")"; go build -o "$BIN" ./cmd/rehearse; }
ENGINE=${ENGINE:-auto}
SCALE=${SCALE:-1.0}
user_cache=${REHEARSE_CACHE_DIR:-$HOME/.cache/rehearse}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$user_cache/templates" "$dir/cache"
ln -s "$user_cache/templates" "$dir/cache/templates"
export REHEARSE_CACHE_DIR="$dir/cache"
echo "BENCH cache: load average before: $(cut -d' ' -f1-3 /proc/loadavg) (machine shared with other builds)"

# timed NAME ARGS...: runs rehearse, prints its wall time and phases.
timed() {
	local name=$1
	shift
	local out="$dir/$name"
	mkdir -p "$out"
	local t0 t1 code
	t0=$(date +%s.%N)
	set +e
	"$BIN" "$@" --format json --out-dir "$out" >/dev/null 2>"$out/err"
	code=$?
	set -e
	t1=$(date +%s.%N)
	if [ $code -gt 1 ]; then cat "$out/err"; echo "BENCH cache: $name failed (exit $code)"; exit 1; fi
	python3 - "$out/report.json" "$t0" "$t1" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
total = float(sys.argv[3]) - float(sys.argv[2])
open(sys.argv[1] + ".wall", "w").write(f"{total:.3f}")
ph = ", ".join(f"{p['name']} {p['duration_s']:.1f}" + (" (cached)" if p["status"] == "cached" else "") for p in r["phases"])
print(f"BENCH cache: {sys.argv[4]:<22} {total:6.1f} s end to end ({r['inputs']['engine']} {r['inputs']['flavor']} {r['inputs']['version']}, {r['inputs']['rows']:,} rows, verdict {r['verdict']}); phases: {ph}")
PY
}
wall() { cat "$dir/$1/report.json.wall"; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }

# --- the seed incident at scale 1.0 ----------------------------------------
seed=(scenarios run unique-index-rerun --engine "$ENGINE" --scale "$SCALE")
timed seed-first "${seed[@]}"
timed seed-second "${seed[@]}"
timed seed-nocache "${seed[@]}" --no-cache
f=$(wall seed-first) s=$(wall seed-second) n=$(wall seed-nocache)
echo "BENCH cache: seed incident at scale $SCALE: second run $s s (goal <= 25 s) = $(ratio "$f" "$s")x faster than the first (goal >= 2.5x), $(ratio "$n" "$s")x faster than --no-cache"

# --- make demo's second run --------------------------------------------------
demo=(scenarios run unique-index-rerun --engine "$ENGINE")
timed demo-first "${demo[@]}"
timed demo-second "${demo[@]}"
echo "BENCH cache: make demo (scale 0.1): first $(wall demo-first) s, second $(wall demo-second) s (goal <= 10 s)"

# --- capacity, 3 scales x 3 repeats ------------------------------------------
"$BIN" scenarios export unique-index-rerun "$dir/s" >/dev/null 2>&1
cap=(capacity --snapshot "$dir/s/snapshot.json" --migrations "$dir/s/migrations" --engine "$ENGINE" --scales 0.01,0.03,0.1 --repeat 3)
timed capacity-nocache "${cap[@]}" --no-cache
"$BIN" cache prune --all >/dev/null # cold: the demo runs kept scale 0.1's entry
timed capacity-cold "${cap[@]}"
timed capacity-warm "${cap[@]}"
echo "BENCH cache: capacity 3 scales x 3 repeats: --no-cache $(wall capacity-nocache) s, cold cache $(wall capacity-cold) s, warm cache $(wall capacity-warm) s: $(ratio "$(wall capacity-nocache)" "$(wall capacity-warm)")x faster warm (goal >= 2x), $(ratio "$(wall capacity-nocache)" "$(wall capacity-cold)")x cold"

# --- the copy of the scale-1.0 entry vs cp -a ---------------------------------
"$BIN" cache ls
entry=$("$BIN" cache ls --json | python3 -c '
import json, sys
es = json.load(sys.stdin)
big = max(es, key=lambda e: e["manifest"]["allocated"])
print(big["id"])')
REHEARSE_BENCH=1 REHEARSE_BENCH_COPY_DIR="$dir/cache/data/$entry/datadir" go test -count=1 -timeout 30m -run '^TestBenchCopy$' -v ./rehearse/engine/ 2>&1 |
	grep -E '^BENCH|FAIL|--- (FAIL|SKIP)|panic' || true
echo "BENCH cache: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
