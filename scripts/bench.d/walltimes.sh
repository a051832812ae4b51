#!/usr/bin/env bash
# walltimes.sh — the wall times of the README's two commands, measured and
# printed next to the figures the README gives (the README's figures come
# from here: "measured by BENCH=walltimes"):
#
#   make demo, cold    a new REHEARSE_CACHE_DIR and GOCACHE: the build and the
#                      template datadirs are made again (packages and images
#                      are present: `make images` is not re-run)
#   make demo, repeat  the same command again, caches warm
#   make test          the default run, caches warm — about 12.5 minutes on a
#                      quiet machine, so only with WALLTIMES_TEST=1:
#                      WALLTIMES_TEST=1 BENCH=walltimes make bench
#
# Each line says the command's exit code; a command that fails fails the
# bench.
set -uo pipefail
cd "$(dirname "$0")/../.."

# readme COMMAND COLUMN: the README's figure for `make COMMAND` (column 3:
# first run, 4: later runs).
readme() {
	grep -E "^\| \`make $1\` \|" README.md | awk -F'|' -v c="$2" '{gsub(/^ +| +$/, "", $c); print $c}'
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# run NAME LOG COMMAND...: time the command, print its line.
run() {
	local name=$1 log=$2
	shift 2
	local t0 t1 rc
	t0=$(date +%s.%N)
	"$@" >"$log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	printf 'BENCH walltime %-18s %7.1f s  (exit %d)\n' "$name" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$rc"
	if [ $rc -ne 0 ]; then
		tail -20 "$log"
		status=1
	fi
}

if [ -r /proc/loadavg ]; then echo "BENCH load average before: $(cut -d' ' -f1-3 /proc/loadavg)"; fi
export REHEARSE_CACHE_DIR="$tmp/cache" GOCACHE="$tmp/gocache"
run "make demo, cold" "$tmp/demo-cold.log" make --no-print-directory demo
run "make demo, repeat" "$tmp/demo-repeat.log" make --no-print-directory demo
echo "BENCH walltime README: make demo first run \"$(readme demo 3)\", later runs \"$(readme demo 4)\""
unset REHEARSE_CACHE_DIR GOCACHE

if [ "${WALLTIMES_TEST:-}" = 1 ]; then
	run "make test" "$tmp/test.log" make --no-print-directory test
	grep -E '^(PASS|FAIL): .* tests passed' "$tmp/test.log" | sed 's/^/BENCH walltime make test summary: /'
	echo "BENCH walltime README: make test first run \"$(readme test 3)\", later runs \"$(readme test 4)\""
else
	echo "BENCH walltime make test: not measured (about 12.5 minutes; WALLTIMES_TEST=1 BENCH=walltimes make bench)"
fi
if [ -r /proc/loadavg ]; then echo "BENCH load average after: $(cut -d' ' -f1-3 /proc/loadavg)"; fi
exit $status
