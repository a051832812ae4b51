#!/usr/bin/env bash
# strategies.sh — ALTER strategies side by side (issue 15):
# 1. the proofs on real servers (TestStrategyPTOSC: a table copy under 8
#    writers, native vs pt-osc on MariaDB 10.11 and MySQL 9.7;
#    TestCompareInstant: an INSTANT change, native recommended;
#    TestCompareOnlineCopy: MariaDB 11.8's online copy; TestStrategyPTOSCDocker:
#    pt-osc under the docker engine, alone and with a replica;
#    TestStrategyPTOSCReplicasMySQL: pt-osc 3.2.1 and a MySQL 9.7 replica),
#    their figures;
# 2. speed: `rehearse compare --strategies native,pt-osc` against one
#    `rehearse run` of the same release from an empty data cache, REPEAT
#    (3) times. Goal, on the medians: compare <= 1.3 x run + pt-osc's own
#    migrate phase (no second data generation: the second strategy starts
#    from the cache's datadir; compare shares what is the same for both,
#    docs/strategies.md#speed).
# The release is a column type change (a table copy) on a 2,000,000-row
# production table (orders), rehearsed at SCALE (0.05: 100,000 rows);
# production is a plain local MariaDB set up here and snapshotted.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin/rehearse}
[ -x "$BIN" ] || { mkdir -p "$(dirname "$BIN")"; go build -o "$BIN" ./cmd/rehearse; }
SCALE=${SCALE:-0.05}
ENGINE=${ENGINE:-local}
dir=$(mktemp -d)
sandbox_pid=
cleanup() {
	[ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
echo "BENCH strategies: load average before: $(cut -d' ' -f1-3 /proc/loadavg) (machine shared with other builds)"

if [ "${SKIP_TESTS:-}" = "" ]; then
	REHEARSE_BENCH=1 REHEARSE_REQUIRE=all go test ./rehearse/run -run 'TestStrategyPTOSC|TestCompareInstant|TestCompareOnlineCopy' -count=1 -v 2>&1 |
		grep -E 'strategy(_docker|_replicas)?_test.go:[0-9]+: (native|pt-osc|online-copy|recommended|docker|[0-9.]+: pt-osc)|^(--- |ok|FAIL)' | sed 's/^ *//'
fi

# Production: a plain MariaDB with the schema, snapshotted, the row count
# set to production's.
"$BIN" sandbox --engine local --flavor mariadb >"$dir/dsn" 2>"$dir/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 1 60); do grep -q '^DSN: ' "$dir/dsn" && break; sleep 0.5; done
dsn=$(sed -n 's/^DSN: //p' "$dir/dsn")
port=$(echo "$dsn" | sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p')
mysql -h127.0.0.1 -P"$port" -uroot <<'SQL'
CREATE DATABASE shop;
CREATE TABLE shop.orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL,
  status VARCHAR(16) NOT NULL, created_at DATETIME NOT NULL, KEY ix_customer (customer_id));
CREATE TABLE shop.goose_db_version (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, version_id BIGINT NOT NULL, is_applied TINYINT(1) NOT NULL, tstamp TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP);
INSERT INTO shop.goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1);
SQL
"$BIN" snapshot --dsn "$dsn" --databases shop -o "$dir/snap0.json" 2>/dev/null
kill "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true; sandbox_pid=
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/snap0.json"))
for sc in s["schemas"]:
    for t in sc["tables"]:
        if t["name"] == "orders":
            t["stats"]["rows"] = 2000000
json.dump(s, open(d + "/snap.json", "w"))
PY
mkdir -p "$dir/migrations"
printf -- '-- +goose Up\nCREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL, status VARCHAR(16) NOT NULL, created_at DATETIME NOT NULL, KEY ix_customer (customer_id));\n-- +goose Down\nDROP TABLE orders;\n' >"$dir/migrations/00001_orders.sql"
printf -- '-- +goose Up\nALTER TABLE orders MODIFY total DECIMAL(14,2) NOT NULL;\n-- +goose Down\nALTER TABLE orders MODIFY total DECIMAL(10,2) NOT NULL;\n' >"$dir/migrations/00002_widen_total.sql"

args=(--engine "$ENGINE" --snapshot "$dir/snap.json" --migrations "$dir/migrations" --scale "$SCALE" --no-rollback)
# REPEAT pairs of (one run, one compare), each from empty data caches; the
# goal is judged on the medians (a shared machine's load moves single runs
# by several seconds).
for i in $(seq 1 "${REPEAT:-3}"); do
	t0=$(date +%s.%N)
	REHEARSE_DATA_CACHE_DIR="$dir/cache-run-$i" "$BIN" run "${args[@]}" --format json --out-dir "$dir/run-$i" >/dev/null 2>"$dir/run.err" || [ $? -eq 1 ] || { cat "$dir/run.err"; exit 1; }
	t1=$(date +%s.%N)
	REHEARSE_DATA_CACHE_DIR="$dir/cache-cmp-$i" "$BIN" compare "${args[@]}" --strategies native,pt-osc --format table,json --out-dir "$dir/cmp-$i" >"$dir/cmp.txt" 2>"$dir/cmp.err" || { cat "$dir/cmp.err"; exit 1; }
	t2=$(date +%s.%N)
	rm -rf "$dir/cache-run-$i" "$dir/cache-cmp-$i"
	[ "$i" = 1 ] && cat "$dir/cmp.txt"
	python3 - "$dir" "$i" "$t0" "$t1" "$t2" <<'PY'
import json, sys
d, i, t0, t1, t2 = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
c = json.load(open(f"{d}/cmp-{i}/report.json"))
osc = next(r for r in c["runs"] if r["strategy"] == "pt-osc")
mig = next(p["duration_s"] for p in osc["report"]["phases"] if p["name"] == "migrate")
run, cmp = t1 - t0, t2 - t1
first = c["runs"][0]["duration_s"]
with open(d + "/figures", "a") as f:
    f.write(json.dumps({"run": run, "cmp": cmp, "mig": mig, "first": first}) + "\n")
load = open("/proc/loadavg").read().split()[:3]
print(f"BENCH strategies: #{i}: one run {run:.1f} s; compare native,pt-osc {cmp:.1f} s; pt-osc's migrate phase {mig:.1f} s; goal <= 1.3 x run + migrate = {1.3 * run + mig:.1f} s: {'ok' if cmp <= 1.3 * run + mig else 'MISSED'} (load average {' '.join(load)})")
for r in c["runs"]:
    print(f"BENCH strategies: #{i}:   {r['strategy']}: {r['duration_s']:.1f} s, data {'from the cache' if r['cached'] else 'generated'}; phases: " + ", ".join(f"{p['name']} {p.get('duration_s', 0):.2f}" + (f" ({p['status']})" if p.get('status') not in (None, 'ok') else "") for p in r["report"]["phases"]))
r = json.load(open(f"{d}/run-{i}/report.json"))
print(f"BENCH strategies: #{i}:   one run's phases: " + ", ".join(f"{p['name']} {p.get('duration_s', 0):.2f}" for p in r["phases"]))
PY
done
python3 - "$dir" <<'PY'
import json, statistics, sys
f = [json.loads(l) for l in open(sys.argv[1] + "/figures")]
med = {k: statistics.median(x[k] for x in f) for k in f[0]}
run, cmp, mig, first = med["run"], med["cmp"], med["mig"], med["first"]
goal = 1.3 * run + mig
print(f"BENCH strategies: median of {len(f)}: one run {run:.1f} s; compare native,pt-osc {cmp:.1f} s; pt-osc's migrate phase {mig:.1f} s; goal <= 1.3 x run + migrate = {goal:.1f} s: {'ok' if cmp <= goal else 'MISSED'}")
# The same goal read past the first strategy (a run's rehearsal, measured
# at another moment of the machine's load): what the second strategy
# added besides its own migration, against 0.3 x run.
extra = statistics.median(x["cmp"] - x["first"] - x["mig"] for x in f)
print(f"BENCH strategies: median of {len(f)}: compare beyond its first strategy's rehearsal, less pt-osc's migrate phase: {extra:.1f} s; budget 0.3 x run = {0.3 * run:.1f} s: {'ok' if extra <= 0.3 * run else 'MISSED'}")
print(f"BENCH strategies: load average after: {' '.join(open('/proc/loadavg').read().split()[:3])}")
PY
