#!/usr/bin/env bash
# Establish verdict-corpus cases' truth on plain servers, by hand: a plain
# MariaDB 10.11 and MySQL 9.7 (`rehearse sandbox`, nothing restored, nothing
# generated) and verdicts/verify, which uses only the MySQL driver.
#
#   verdicts/verify.sh [--check | --record] [--flavor mariadb|mysql] [CASE ...]
#
# CASE is a folder name under verdicts/testdata/cases (default: every case).
# For each case and flavor it prints what the server said in the case format
# (paste into expect: and verified:), and writes the full transcript (every
# statement sent, every answer) to out/verdicts/CASE.FLAVOR.txt, which stays
# out of the repository. --check compares with the case's expect instead and
# exits 1 on any difference. --record writes what the servers said into the
# case's expect: and verified: (review the diff before committing it).
set -euo pipefail
cd "$(dirname "$0")/.."
check=""
record=""
flavors="mariadb mysql"
cases=()
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check="-check"; shift ;;
    --record) record=1; shift ;;
    --flavor) flavors="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) cases+=("$1"); shift ;;
  esac
done
if [ ${#cases[@]} -eq 0 ]; then
  for d in verdicts/testdata/cases/*/; do cases+=("$(basename "$d")"); done
fi
export REHEARSE_CACHE_DIR="${REHEARSE_CACHE_DIR:-$HOME/.cache/rehearse}"
work=$(mktemp -d /tmp/verdicts-verify.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
go build -o "$work/rehearse" ./cmd/rehearse
go build -o "$work/verify" ./verdicts/verify
mkdir -p out/verdicts
status=0
for flavor in $flavors; do
  case "$flavor" in
    mariadb) version=10.11 ;;
    mysql) version=9.7 ;;
    *) echo "unknown flavor $flavor (mariadb or mysql)" >&2; exit 2 ;;
  esac
  "$work/rehearse" sandbox --engine local --flavor "$flavor" --version "$version" >"$work/$flavor.dsn" 2>"$work/$flavor.log" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 600); do
    grep -q '^DSN: ' "$work/$flavor.dsn" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/$flavor.log" >&2; exit 2; }
    sleep 0.1
  done
  dsn=$(sed -n 's/^DSN: //p' "$work/$flavor.dsn")
  [ -n "$dsn" ] || { echo "no $flavor sandbox: $(cat "$work/$flavor.log")" >&2; exit 2; }
  for c in "${cases[@]}"; do
    dir=verdicts/testdata/cases/$c
    grep -qE "^only:.*\b$flavor\b|^only:" "$dir/case.yaml" && ! grep -qE "^only:.*\b$flavor\b" "$dir/case.yaml" && continue
    echo "=== $c on $flavor"
    if ! "$work/verify" -dsn "$dsn" -case "$dir" $check -transcript "out/verdicts/$c.$flavor.txt" -json "out/verdicts/$c.$flavor.json"; then
      status=1
    fi
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
if [ -n "$record" ]; then
  for c in "${cases[@]}"; do
    files=()
    for flavor in mariadb mysql; do
      [ -f "out/verdicts/$c.$flavor.json" ] && files+=("out/verdicts/$c.$flavor.json")
    done
    "$work/verify" -record -case "verdicts/testdata/cases/$c" "${files[@]}" && echo "recorded $c"
  done
fi
exit $status
