#!/bin/sh
# Load generator and lock monitor figures (issue 6):
#   - lock-monitor overhead on writer throughput, with vs without the
#     monitor in the same run (goal <= 5%): the median of 30 paired ratios
#     of 0.5 s phases (with its interquartile range: noisy on shared cores),
#     and the monitor's CPU time (server + client) as a share of the cores,
#     the overhead on writers that saturate the CPU;
#   - the load generator's closed-loop capacity and highest sustained
#     open-loop write rate on this machine;
#   - a short soak (2,000 writes/s; REHEARSE_SOAK_DURATION, default 1m here;
#     the full check is 10m: REHEARSE_SOAK_DURATION=10m).
set -eu
cd "$(dirname "$0")/../.."
echo "== lock monitor overhead"
go test -run '^$' -bench 'BenchmarkMonitorOverhead' -benchtime=1x ./rehearse/locks/ | grep -E 'Benchmark|overhead|monitor CPU'
echo "== load generator max write rate"
go test -run '^$' -bench 'BenchmarkMaxWriteRate' -benchtime=1x ./rehearse/load/ | grep -E 'Benchmark|open loop'
echo "== load generator soak"
REHEARSE_SOAK_DURATION="${REHEARSE_SOAK_DURATION:-1m}" go test -tags soak -run 'TestSoak' -count=1 -timeout 30m -v ./rehearse/load/ | grep -E 'soak [0-9].* at|FAIL|^ok'
