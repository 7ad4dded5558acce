#!/usr/bin/env bash
# System calls and CPU per delivered event in fan-out, execstream's fast path against the better-sse
# peer: one stream at a line every 20 ms to SUBS subscribers (bench/loadgen/loadgen.js), each server
# fresh, one unmeasured run first; the measured run counts the server's system calls with
# `perf stat` (kernel tracepoints: counting, not tracing, so the server runs at its own pace) and
# reads its CPU time from /proc. Prints, per server and per delivered event (a line to one
# subscriber): system calls in all and the most frequent ones, and microseconds of server CPU.
#
# Usage: bench/fanout-syscalls.sh [SUBS] [LINES]   (default 1000 and 500; needs perf, run as root,
# node, and the jar: EXECSTREAM_JAR, default server-jersey/target/execstream-server.jar)
# SERVERS="execstream" runs only that one (default "execstream better-sse").
# EXECSTREAM_PROFILE=FILE also profiles execstream's measured run (async-profiler, CPU, collapsed
# stacks with thread names into FILE), attached with jcmd once the unmeasured run is over.
# EXECSTREAM_JAVA_OPTS adds JVM options to execstream's server (a GC setting to compare).
# WARMUP=N runs N unmeasured runs first (default 1; 2 or more leave less of the JIT's work in the
# measured run).
# CLIENT=java runs the suite's second client (bench/loadgen/java/SseBench.java, on non-blocking
# sockets; EXECSTREAM_BENCH_JAVA_IO=httpclient for the JDK's HttpClient) instead of loadgen.js, as in
# the suite's "Java client" columns.
set -euo pipefail
if [ -n "${EXECSTREAM_PROFILE:-}" ]; then EXECSTREAM_PROFILE=$(realpath -m "$EXECSTREAM_PROFILE"); fi
cd "$(dirname "$0")/.."
SUBS=${1:-1000}
LINES=${2:-500}
JAR=${EXECSTREAM_JAR:-server-jersey/target/execstream-server.jar}
[ -f "$JAR" ] || ./mvnw -B -q -pl server-jersey -am package -DskipTests
command -v perf >/dev/null || { echo "perf is missing (apt-get install -y linux-perf)"; exit 1; }
[ -d bench/peers/better-sse/node_modules ] || (cd bench/peers/better-sse && npm ci --no-audit --no-fund --silent)
ulimit -n 20000

source bench/lib/work.sh
SYSCALLS="write writev read readv epoll_wait epoll_ctl futex sendto recvfrom"
EVENTS="raw_syscalls:sys_enter$(for s in $SYSCALLS; do printf ',syscalls:sys_enter_%s' "$s"; done)"

# start KIND: a fresh server on a free port; sets SERVER (its pid) and PORT
start() {
  PORT=$(free_port)
  local ws="$WORK/ws-$1"; mkdir -p "$ws"
  if [ "$1" = execstream ]; then
    java -Xmx2048m ${EXECSTREAM_JAVA_OPTS:-} -jar "$JAR" serve --publisher memory --port "$PORT" --api-keys-file "$WORK/keys" --workspace-root "$ws" \
        --keepalive 15s --max-history 1GB --history-budget 512MB > "$WORK/$1.log" 2>&1 &
  else
    node bench/peers/better-sse/server.js --port "$PORT" --api-keys-file "$WORK/keys" --workspace-root "$ws" \
        --keepalive 15s --history-budget 512MB > "$WORK/$1.log" 2>&1 &
  fi
  SERVER=$!
  PIDS+=("$SERVER")
  for _ in $(seq 300); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "$1 did not start:"; cat "$WORK/$1.log"; exit 1
}
# run: one fan-out run against the server on PORT; prints the load generator's result line
run() {
  local go="$WORK/go-$RANDOM$RANDOM"
  local client=(node bench/loadgen/loadgen.js --workers "$([ "$SUBS" -ge 1000 ] && echo 2 || echo 1)")
  if [ "${CLIENT:-node}" = java ]; then
    [ -f "$WORK/sse-bench/SseBench.class" ] || javac -d "$WORK/sse-bench" bench/loadgen/java/SseBench.java
    # as bench.js runs it: non-blocking sockets unless EXECSTREAM_BENCH_JAVA_IO=httpclient
    client=(java -Xmx1g -XX:+UseSerialGC -cp "$WORK/sse-bench" SseBench --io "${EXECSTREAM_BENCH_JAVA_IO:-nio}")
  fi
  "${client[@]}" --base "http://127.0.0.1:$PORT" --key "$KEY" --mode lines --subs "$SUBS" \
      --expect-lines "$LINES" --go-file "$go" --timeout-s 300 \
      --command "node $PWD/bench/loadgen/gen.js --interval-ms 20 --count $LINES --go-file $go --max-wait-s 120" | tail -1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }

profiling() { [ "$1" = execstream ] && [ -n "${EXECSTREAM_PROFILE:-}" ]; }
if [ -n "${EXECSTREAM_PROFILE:-}" ]; then source bench/lib/async-profiler.sh; fi

for kind in ${SERVERS:-execstream better-sse}; do
  start "$kind"
  for _ in $(seq "${WARMUP:-1}"); do run > /dev/null; done
  # jcmd splits its arguments at '=': the agent's options go as one quoted argument.
  profiling "$kind" && jcmd "$SERVER" JVMTI.agent_load "$LIB" "\"start,event=cpu,interval=1000000\"" > /dev/null
  c0=$(cpu_ticks)
  perf stat -x, -e "$EVENTS" -p "$SERVER" -o "$WORK/$kind.perf" &
  perf_pid=$!
  result=$(run)
  kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
  c1=$(cpu_ticks)
  profiling "$kind" && jcmd "$SERVER" JVMTI.agent_load "$LIB" "\"stop,collapsed,threads,file=$EXECSTREAM_PROFILE\"" > /dev/null
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  latency=$(echo "$result" | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (!r.ok) { console.error("run failed: " + JSON.stringify(r)); process.exit(1); }
    console.log(`p50 ${r.latP50.toFixed(1)} ms, p99 ${r.latP99.toFixed(1)} ms`)') || exit 1
  delivered=$((SUBS * LINES))
  hz=$(getconf CLK_TCK)
  awk -F, -v kind="$kind" -v n="$delivered" -v cpu="$((c1 - c0))" -v hz="$hz" -v subs="$SUBS" -v lines="$LINES" -v client="${CLIENT:-node}" -v latency="$latency" '
    $3 ~ /raw_syscalls:sys_enter/ { total = $1 }
    $3 ~ /syscalls:sys_enter_/ { name = $3; sub(/.*sys_enter_/, "", name); if ($1 > 0) parts = parts sprintf(" %s %.2f,", name, $1 / n); if (name ~ /^writev?$/) writes += $1 }
    END { printf "[bench] fan-out %d subscribers x %d lines, %s, %s client: %.2f system calls per delivered event (%d in all; by call:%s), %.1f us of server CPU per delivered event (%.1f per write); %s\n",
          subs, lines, kind, client, total / n, total, substr(parts, 1, length(parts) - 1), 1e6 * cpu / hz / n, writes > 0 ? 1e6 * cpu / hz / writes : 0, latency }' "$WORK/$kind.perf"
done
