#!/usr/bin/env bash
# mutate.sh — does the suite have teeth? Each patch in scripts/mutations/
# breaks one thing on purpose (its first line says what; its "Packages:"
# line names the packages whose tests must catch it). For each, in a
# scratch worktree of HEAD (never committed, removed at the end): apply the
# patch, run those packages' tests under the test policy, and report the
# tests that failed. A mutation no test catches SURVIVES and the script
# exits 1: add the test that kills it. A patch that no longer applies or no
# longer builds is reported too (update it). Each run's whole output is
# kept in out/mutate/NAME.log.
#
#   scripts/mutate.sh                 # every mutation
#   scripts/mutate.sh 3-delimiter     # the ones whose name starts so
#
# See docs/testing.md ("Mutation check").
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export REHEARSE_REQUIRE=all
export REHEARSE_CACHE_DIR="${REHEARSE_CACHE_DIR:-$HOME/.cache/rehearse}"

tmp=$(mktemp -d)
wt="$tmp/rehearse"
git worktree add --detach -q "$wt" HEAD || exit 2
# The corpus sits beside the repository: beside the scratch copy too.
ln -s "$(cd "$root/.." && pwd)/shared" "$tmp/shared"
cleanup() { git worktree remove --force "$wt" >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT

logs=out/mutate
mkdir -p "$logs"
status=0
results=()
for patch in scripts/mutations/*.patch; do
	name=$(basename "$patch" .patch)
	if [ $# -gt 0 ]; then
		want=0
		for a in "$@"; do [[ $name == "$a"* ]] && want=1; done
		[ $want = 1 ] || continue
	fi
	what=$(sed -n '1s/^Mutation: //p' "$patch")
	read -r -a pkgs <<<"$(sed -n 's/^Packages: //p' "$patch")"
	echo "=== mutation $name: $what"
	(cd "$wt" && git checkout -q -- . && git apply "$root/$patch") || {
		echo "$name: the patch no longer applies to HEAD: update it"
		results+=("$name | patch does not apply")
		status=1
		continue
	}
	start=$SECONDS
	out=$(cd "$wt" && go test -count=1 -timeout 20m "${pkgs[@]}" 2>&1)
	rc=$?
	printf '%s\n' "$out" >"$logs/$name.log"
	took=$((SECONDS - start))
	(cd "$wt" && git checkout -q -- .)
	if grep -q '\[build failed\]\|\[setup failed\]' <<<"$out"; then
		echo "$out" | grep -v '^ok' | head -20
		echo "$name: the mutated code does not build: update the patch"
		results+=("$name | does not build")
		status=1
		continue
	fi
	failed=$(grep -oE -- '--- FAIL: [^ ]+' <<<"$out" | sed 's/--- FAIL: //' | sort -u | tr '\n' ' ')
	if [ $rc -eq 0 ] || [ -z "$failed" ]; then
		echo "$out" | tail -5
		echo "$name: SURVIVED — no test of ${pkgs[*]} failed (${took}s)"
		results+=("$name | SURVIVED")
		status=1
	else
		grep -E -- '--- FAIL|_test.go:[0-9]+:' <<<"$out" | head -12
		echo "$name: killed in ${took}s by: $failed(output: $logs/$name.log)"
		results+=("$name | killed by: $failed")
	fi
done

echo
echo "=== mutation results"
for r in "${results[@]}"; do echo "$r"; done
exit $status
