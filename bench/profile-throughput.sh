#!/usr/bin/env bash
# Where the standalone server's CPU goes while one command writes fast to one reader: async-profiler
# (CPU samples of every thread, Java and native frames, kernel time included where perf events are
# allowed, else timer samples of user time) during throughput runs, summed by the frame on top of the
# stack (self time) and by the first execstream frame under it (who asked for that work).
#
# Usage: bash bench/profile-throughput.sh [MB] [runs]        (defaults 300 and 3)
#   EXECSTREAM_JAR=path  a given jar instead of server-jersey/target/execstream-server.jar
#   PUBLISHER=disk       another publisher (default memory, the suite's reference)
#   PROFILE_OUT=file     keep the collapsed stacks (for a flame graph) in that file
#   WARM=n               n unprofiled warm-up runs first (default 1), then the profiler is attached
#                        (jcmd JVMTI.agent_load), so that the profile is of a warm server only
# The generator is the fast one (`yes` of 100-byte lines, head -c), the reader `curl -N` into
# /dev/null; the profile covers the measured runs only. Prints MB/s per run, the server's CPU
# per MB, and the two top-25 tables. async-profiler (tools.profiler:async-profiler on Maven
# Central) is fetched by the Maven wrapper into bench/target/async-profiler the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-300}; RUNS=${2:-3}; PUBLISHER=${PUBLISHER:-memory}; WARM=${WARM:-1}
JAR=${EXECSTREAM_JAR:-server-jersey/target/execstream-server.jar}
[ -f "$JAR" ] || { echo "no $JAR: build it with ./mvnw -B -q -DskipTests package" >&2; exit 1; }
source bench/lib/async-profiler.sh
# Kernel stacks need perf events (perf_event_paranoid <= 1); otherwise timer samples.
EVENT=cpu; [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 3)" -le 1 ] || EVENT=itimer
WORK=$(mktemp -d); trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
KEY=profile-key-$RANDOM$RANDOM; echo "$KEY" > "$WORK/keys"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The suite's settings (bench.js): the heap the launcher gives the memory publisher for its
# default 512MB budget, and that budget.
java -Xmx2g -jar "$JAR" serve --port "$PORT" --api-keys-file "$WORK/keys" --workspace-root "$WORK/ws" \
     --data-dir "$WORK/data" --publisher "$PUBLISHER" --max-history 1GB --history-budget 512MB \
     > "$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
BYTES=$((MB * 1000000))
CMD="yes 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 | head -c $BYTES"

run() {  # one command, read whole by curl; prints "start end cpu_ticks"
  local before after started url t0 t1
  before=$(awk '{print $14+$15}' /proc/$PID/stat)
  started=$(curl -fs -X POST "http://127.0.0.1:$PORT/projects/profile/commands" -H "X-API-Key: $KEY" \
      -H 'Content-Type: application/json' -d "{\"command\": \"$CMD\"}")
  url=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["stream_url"])' "$started")
  t0=$(date +%s.%N)
  curl -fsN "http://127.0.0.1:$PORT$url" -o "$WORK/out"
  t1=$(date +%s.%N)
  after=$(awk '{print $14+$15}' /proc/$PID/stat)
  tail -c 200 "$WORK/out" | grep -q 'event: done' || { echo "no done event" >&2; exit 1; }
  echo "$t0 $t1 $((after - before))"
}
for _ in $(seq "$WARM"); do run >/dev/null; done
jcmd "$PID" JVMTI.agent_load "$LIB" "\"start,event=$EVENT,interval=1ms,threads,file=$WORK/stacks.txt,collapsed\"" >/dev/null
HZ=$(getconf CLK_TCK)
for i in $(seq "$RUNS"); do
  read -r t0 t1 ticks < <(run)
  python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); mb=$MB; cpu=int(sys.argv[3])/$HZ
print(f'run $i: {mb/t:.0f} MB/s, server CPU {1000*cpu/mb:.2f} ms per MB ({100*cpu/t:.0f}% of a core)')" "$t0" "$t1" "$ticks"
done
jcmd "$PID" JVMTI.agent_load "$LIB" "\"stop,file=$WORK/stacks.txt,collapsed\"" >/dev/null
kill -TERM $PID; wait $PID || true
[ -z "${PROFILE_OUT:-}" ] || cp "$WORK/stacks.txt" "$PROFILE_OUT"
echo "(async-profiler $AP_VERSION, event $EVENT)"
python3 - "$WORK/stacks.txt" <<'PY'
import sys, collections
import re
top, owner, threads = collections.Counter(), collections.Counter(), collections.Counter()
for line in open(sys.argv[1]):
    stack, _, count = line.rstrip("\n").rpartition(" ")
    frames = stack.split(";")            # root first; the first is the thread's name
    n = int(count)
    # Threads by kind: numbers and ids out of their names (execstream-run-123-stdout, C2 CompilerThread0).
    threads[re.sub(r"[0-9]+", "N", frames[0].strip("[]"))] += n
    frames = frames[1:] or ["(none)"]
    top[frames[-1]] += n
    mine = next((f for f in reversed(frames) if f.startswith("io/execstream") or f.startswith("io.execstream")), None)
    owner[mine or ("thread " + frames[0] if len(frames) < 3 else "(no execstream frame) " + frames[min(2, len(frames) - 1)])] += n
total = sum(top.values())
for title, c in (("threads, by kind", threads), ("self: the frame on top of the stack", top), ("by the first execstream frame under it", owner)):
    print(f"\n{title} ({total} samples)")
    for k, v in c.most_common(25): print(f"{100*v/total:5.1f}%  {k.replace('/', '.')}")
PY
