#!/usr/bin/env bash
# Runs every benchmark script in scripts/bench.d in turn. Each prints its
# figures and ratios against a baseline measured in the same run.
set -uo pipefail
cd "$(dirname "$0")/.."
export REHEARSE_CACHE_DIR="${REHEARSE_CACHE_DIR:-$HOME/.cache/rehearse}"
only="${BENCH:-}"
status=0
for s in scripts/bench.d/*.sh; do
  name=$(basename "$s" .sh)
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
  echo "=== bench: $name ==="
  if ! bash "$s"; then echo "bench $name: FAILED"; status=1; fi
done
exit $status
