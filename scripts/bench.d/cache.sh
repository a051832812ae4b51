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
#   copy     the cache's copy of a datadir of at least 1 GB (COPY_MIN_BYTES,
#            apparent size) vs `cp -a` of the same folder: the largest entry
#            when it is that big, else one built for it with rehearse sandbox
#            at COPY_SCALE (default 1.7: docker's scale-1.0 entry of the seed
#            incident is 658 MB, scale 1.7 about 1.05 GB).
# The data cache lives in a fresh folder (the templates are the usual ones),
# so the first runs miss. ENGINE (default: auto, as make demo) and SCALE
# (default 1.0) change the seed runs; PAIRS (default 1) repeats the seed
# and demo first/second pairs, each from an empty cache, and prints their
# medians; NOCACHE=0 leaves out the seed's --no-cache run. SECTIONS
# (default "seed demo capacity copy") runs some of them:
#   BENCH=cache SECTIONS=copy make bench
#   SECTIONS="seed demo" PAIRS=3 scripts/bench.d/cache.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin/rehearse}
[ -x "$BIN" ] || { mkdir -p "$(dirname "$BIN")"; go build -o "$BIN" ./cmd/rehearse; }
ENGINE=${ENGINE:-auto}
SCALE=${SCALE:-1.0}
PAIRS=${PAIRS:-1}
SECTIONS=${SECTIONS:-seed demo capacity copy}
COPY_MIN_BYTES=${COPY_MIN_BYTES:-1000000000}
COPY_SCALE=${COPY_SCALE:-1.7}
has() { [[ " $SECTIONS " == *" $1 "* ]]; }
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
# A hit: where the time outside the rehearsal's own timeline (baseline to
# the end of the rollback) went.
p = {x['name']: x for x in r['phases']}
if p.get('generate', {}).get('status') == 'cached' and 'baseline' in p:
    import re
    own_from = p['baseline']['start_s']
    last = max((x for x in r['phases'] if x['name'] in ('baseline', 'migrate', 'app-compat', 'rollback', 'roundtrip')), key=lambda x: x['start_s'])
    own = last['start_s'] + last['duration_s'] - own_from
    gen = p['generate']
    m = re.search(r'\(copied in (\S+), then started in (\S+)\)', p['provision']['detail'])
    v = re.search(r'verified in (\S+) \(', gen['detail'])
    split = f" (copy {m.group(1)}, start {m.group(2)})" if m else ""
    print(f"BENCH cache: {sys.argv[4]:<22} the rehearsal's own timeline {own:.1f} s (baseline to the end of the rollback); outside it {total - own:.1f} s: "
          f"before the provision {p['provision']['start_s']:.2f}, provision {p['provision']['duration_s']:.2f}{split}, verification {v.group(1) if v else '?'}, "
          f"then the load got ready {own_from - gen['start_s'] - gen['duration_s']:.2f}, "
          f"verdict {p.get('verdict', {}).get('duration_s', 0):.2f}, teardown {p.get('teardown', {}).get('duration_s', 0):.2f}, "
          f"the process's start and the report's writing {total - r['phases'][-1]['start_s'] - r['phases'][-1]['duration_s']:.2f}")
PY
}
wall() { cat "$dir/$1/report.json.wall"; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }

# median FILE...: the median of the numbers in the files (one each).
median() { cat "$@" | python3 -c "import sys, statistics; print(f'{statistics.median(float(l) for l in sys.stdin):.2f}')"; }

# pairs NAME ARGS...: PAIRS first/second runs, each pair from an empty data
# cache; prints each pair and the medians.
pairs() {
	local name=$1
	shift
	local i f s
	for i in $(seq 1 "$PAIRS"); do
		"$BIN" cache prune --all >/dev/null
		timed "$name-first-$i" "$@"
		timed "$name-second-$i" "$@"
		f=$(wall "$name-first-$i") s=$(wall "$name-second-$i")
		echo "$s" >"$dir/$name-second.$i"
		ratio "$f" "$s" >"$dir/$name-ratio.$i"
		echo "BENCH cache: $name pair $i: first $f s, second $s s = $(ratio "$f" "$s")x (load average $(cut -d' ' -f1-3 /proc/loadavg))"
	done
}

# --- the seed incident at scale 1.0 ----------------------------------------
if has seed; then
	seed=(scenarios run unique-index-rerun --engine "$ENGINE" --scale "$SCALE")
	pairs seed "${seed[@]}"
	s=$(median "$dir"/seed-second.*) r=$(median "$dir"/seed-ratio.*)
	echo "BENCH cache: seed incident at scale $SCALE, median of $PAIRS pair(s): second run $s s (goal <= 25 s) = ${r}x faster than the first (goal >= 2.5x)"
	if [ "${NOCACHE:-1}" = 1 ]; then
		timed seed-nocache "${seed[@]}" --no-cache
		echo "BENCH cache: seed incident at scale $SCALE: --no-cache $(wall seed-nocache) s, the second run $(ratio "$(wall seed-nocache)" "$s")x faster"
	fi
fi

# --- make demo's second run --------------------------------------------------
if has demo; then
	demo=(scenarios run unique-index-rerun --engine "$ENGINE")
	pairs demo "${demo[@]}"
	echo "BENCH cache: make demo (scale 0.1), median of $PAIRS pair(s): second $(median "$dir"/demo-second.*) s (goal <= 10 s)"
fi

# --- capacity, 3 scales x 3 repeats ------------------------------------------
"$BIN" scenarios export unique-index-rerun "$dir/s" >/dev/null 2>&1
if has capacity; then
	cap=(capacity --snapshot "$dir/s/snapshot.json" --migrations "$dir/s/migrations" --engine "$ENGINE" --scales 0.01,0.03,0.1 --repeat 3)
	timed capacity-nocache "${cap[@]}" --no-cache
	"$BIN" cache prune --all >/dev/null # cold: the demo runs kept scale 0.1's entry
	timed capacity-cold "${cap[@]}"
	timed capacity-warm "${cap[@]}"
	echo "BENCH cache: capacity 3 scales x 3 repeats: --no-cache $(wall capacity-nocache) s, cold cache $(wall capacity-cold) s, warm cache $(wall capacity-warm) s: $(ratio "$(wall capacity-nocache)" "$(wall capacity-warm)")x faster warm (goal >= 2x), $(ratio "$(wall capacity-nocache)" "$(wall capacity-cold)")x cold"
fi

# --- the copy of a 1 GB datadir vs cp -a ---------------------------------------
# largest: the entry with the most bytes (apparent) and its bytes, or nothing.
largest() {
	"$BIN" cache ls --json | python3 -c '
import json, sys
es = json.load(sys.stdin) or []
if es:
    big = max(es, key=lambda e: e["manifest"]["bytes"])
    print(big["id"], big["manifest"]["bytes"])'
}
if has copy; then
	read -r entry bytes < <(largest) || true
	if [ -z "${entry:-}" ] || [ "$bytes" -lt "$COPY_MIN_BYTES" ]; then
		# A sandbox at COPY_SCALE keeps its filled datadir as an entry
		# before it says it is ready; it is stopped then.
		echo "BENCH cache: building an entry of at least $COPY_MIN_BYTES bytes: rehearse sandbox --snapshot (the seed incident) --scale $COPY_SCALE"
		"$BIN" sandbox --snapshot "$dir/s/snapshot.json" --scale "$COPY_SCALE" --engine "$ENGINE" --json >"$dir/sandbox.out" 2>"$dir/sandbox.err" &
		sb=$!
		while kill -0 "$sb" 2>/dev/null && [ ! -s "$dir/sandbox.out" ]; do sleep 1; done
		kill -INT "$sb" 2>/dev/null || true
		wait "$sb" || true
		read -r entry bytes < <(largest) || true
		[ -n "${entry:-}" ] || { cat "$dir/sandbox.err"; echo "BENCH cache: no entry to copy"; exit 1; }
	fi
	"$BIN" cache ls
	REHEARSE_BENCH=1 REHEARSE_BENCH_COPY_DIR="$dir/cache/data/$entry/datadir" go test -count=1 -timeout 30m -run '^TestBenchCopy$' -v ./rehearse/engine/ 2>&1 |
		grep -E '^BENCH|FAIL|--- (FAIL|SKIP)|panic' || true
fi
echo "BENCH cache: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
