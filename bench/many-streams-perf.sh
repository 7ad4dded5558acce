#!/usr/bin/env bash
# Where each server's CPU goes in the many-streams scenario, the kernel's share included: one round of
# `bench/run.sh --only many-streams` (its warm-up runs, then one run with each client) under a
# system-wide `perf record -g` on CLOCK_MONOTONIC, then bench/lib/perf-split.py: each server's samples in
# the steady part of its measured runs, split by the system call they are in (and whether it is on a
# pipe or a socket) and by thread, and the runs' first 2 s and last 3 s by thread. bench.js gives each
# run's window and server pid (EXECSTREAM_BENCH_WINDOWS).
#
# Usage: bench/many-streams-perf.sh [SERVERS]   (default execstream,better-sse; needs perf, python3 and
# what bench/run.sh needs). Sets kernel.perf_event_paranoid to 1 (root). Output: the split, and the
# recording in a temp dir it names.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVERS=${1:-execstream,better-sse}
command -v perf >/dev/null || { echo "many-streams-perf: perf is needed (apt-get install linux-perf)" >&2; exit 2; }
OUT=$(mktemp -d /tmp/many-streams-perf.XXXXXX)
HZ=499   # samples per second and CPU
echo 1 > /proc/sys/kernel/perf_event_paranoid
EXECSTREAM_BENCH_WINDOWS="$OUT/windows.jsonl" perf record -q -a -g -F "$HZ" -k mono -o "$OUT/perf.data" -- \
  bash bench/run.sh --only many-streams --servers "$SERVERS" --runs 1 --no-write > "$OUT/run.log" 2>&1 \
  || { echo "many-streams-perf: the run failed, see $OUT/run.log" >&2; exit 1; }
perf script -i "$OUT/perf.data" -F comm,pid,tid,time,ip,sym,dso 2>/dev/null | gzip > "$OUT/script.gz"
python3 bench/lib/perf-split.py "$OUT" "$HZ"
echo "recording and log: $OUT"
