#!/usr/bin/env bash
# What starting and stopping commands cost the server while many run: a fresh server, K `sleep 600`
# commands started one after another (the server's CPU per start, from /proc), then 20 warm POSTs of
# `echo hi` followed to their first output event (the median), then SIGTERM to the server, which
# cancels all K: the time until it exits and the CPU it used meanwhile.
#
# Usage: bench/commands-at-scale.sh [K]   (default 500; needs node, and the jar: EXECSTREAM_JAR,
# default server-jersey/target/execstream-server.jar). Every process it starts runs until the
# server's SIGTERM cancels it; a run leaves none behind.
set -euo pipefail
cd "$(dirname "$0")/.."
K=${1:-500}
JAR=${EXECSTREAM_JAR:-server-jersey/target/execstream-server.jar}
[ -f "$JAR" ] || ./mvnw -B -q -pl server-jersey -am package -DskipTests
ulimit -n 20000
source bench/lib/work.sh
HELPER=bench/lib/commands-at-scale.js

cpu_ms() { awk -v tck="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / tck) }' "/proc/$1/stat"; }

PORT=$(free_port)
mkdir -p "$WORK/ws"
java -Xmx2048m ${EXECSTREAM_JAVA_OPTS:-} -jar "$JAR" serve --publisher memory --port "$PORT" --api-keys-file "$WORK/keys" \
    --workspace-root "$WORK/ws" --max-running $((K + 100)) > "$WORK/server.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
for _ in $(seq 300); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
node "$HELPER" first-event "$PORT" "$KEY" 10 > /dev/null   # the JIT's first work, unmeasured

c0=$(cpu_ms "$SERVER"); t0=$(date +%s%N)
node "$HELPER" start "$PORT" "$KEY" "$K"
t1=$(date +%s%N); c1=$(cpu_ms "$SERVER")
echo "started $K commands one after another: $(( (t1 - t0) / 1000000 / K )) ms each, $(( (c1 - c0) / K )) ms of server CPU each ($(ls -d /proc/[0-9]* | wc -l) processes now)"
echo "POST of echo hi to its first event with $K running, median of 20: $(node "$HELPER" first-event "$PORT" "$KEY" 20) ms"

c0=$(cpu_ms "$SERVER"); t0=$(date +%s%N)
kill -TERM "$SERVER"
c1=$c0
for _ in $(seq 2400); do   # 120 s at most
  [ -d "/proc/$SERVER" ] || break
  c1=$(cpu_ms "$SERVER" 2>/dev/null || echo "$c1")
  sleep 0.05
done
t1=$(date +%s%N)
if [ -d "/proc/$SERVER" ]; then echo "the server had not exited 120 s after SIGTERM" >&2; exit 1; fi
echo "SIGTERM to exit, cancelling $K commands: $(( (t1 - t0) / 1000000 )) ms, at least $(( c1 - c0 )) ms of server CPU"
