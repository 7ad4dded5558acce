#!/usr/bin/env bash
# Where each server's CPU goes in the many-streams scenario, the kernel's share included: one round of
# `bench/run.sh --only many-streams` (a warm-up run, then one run with each client) under a system-wide
# `perf record -g`, then bench/lib/perf-split.py: each server's samples in the steady part of its measured
# runs (the 15 s of lines less their first 2 and last 3 s, when connections, starts and exits fall),
# split by the system call they are in (and whether it is on a pipe or a socket) and by thread.
#
# Usage: bench/many-streams-perf.sh [SERVERS]   (default execstream,better-sse; needs perf, python3 and
# what bench/run.sh needs). Sets kernel.perf_event_paranoid to 1 (root). Output: the split, and the
# recording in a temp dir it names.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVERS=${1:-execstream,better-sse}
command -v perf >/dev/null || { echo "many-streams-perf: perf is needed (apt-get install linux-perf)" >&2; exit 2; }
OUT=$(mktemp -d /tmp/many-streams-perf.XXXXXX)
echo 1 > /proc/sys/kernel/perf_event_paranoid
# The servers' pids, seen while they run (each run starts fresh servers).
( while sleep 1; do
    ps -eo pid,args | awk '/execstream-server\.jar serve/ && !/awk/ {print "execstream", $1}
                           /execstream-jaxrs-server\.jar/ && !/awk/ {print "execstream-jaxrs", $1}
                           /better-sse\/server\.js/ && !/awk/ {print "better-sse", $1}
                           /execstream-peer-webflux\.jar/ && !/awk/ {print "webflux", $1}
                           /execstream-peer-jersey-broadcaster\.jar/ && !/awk/ {print "jersey-broadcaster", $1}'
  done > "$OUT/pids.txt" ) &
POLL=$!
trap 'kill $POLL 2>/dev/null || true' EXIT
perf record -q -a -g -F 499 -o "$OUT/perf.data" -- \
  bash bench/run.sh --only many-streams --servers "$SERVERS" --runs 1 --no-write > "$OUT/run.log" 2>&1
kill $POLL 2>/dev/null || true
perf script -i "$OUT/perf.data" -F comm,pid,tid,time,ip,sym,dso 2>/dev/null | gzip > "$OUT/script.gz"
grep "many-streams .* run 1" "$OUT/run.log" || { echo "many-streams-perf: no measured run in $OUT/run.log" >&2; exit 1; }
python3 bench/lib/perf-split.py "$OUT"
echo "recording and log: $OUT"
