#!/usr/bin/env bash
# Two server nodes on one real redis-server: a chatty command runs on node A, its one subscriber
# reads it through node B; MB/s and events/s from the POST to the done event, against the same
# command on one node with --publisher memory. Then the latency from a line written on node A to
# its receipt on node B at 1,000 lines/s (p50/p99). One unmeasured run of each first, then the
# measured runs alternate (redis, memory, redis, ...); medians of 3. Prints the figures.
#
# Usage: bench/redis-two-nodes.sh [MB] [PART]   (MB default 200; PART throughput, latency or both,
# the default; needs redis-server and node)
# EXECSTREAM_JAR=path runs a given jar instead of server-jersey/target/execstream-server.jar;
# EXECSTREAM_JAVA_OPTS adds JVM flags to the two Redis nodes, A and B (a file name in them should
# hold %p, the process id, where the flag allows it, as async-profiler's file= does).
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-200}
PART=${2:-both}
case "$PART" in throughput|latency|both) ;; *) echo "PART must be throughput, latency or both, not $PART"; exit 2;; esac
RUNS=3
LATENCY_LINES=5000
JAR=${EXECSTREAM_JAR:-server-jersey/target/execstream-server.jar}
[ -f "$JAR" ] || ./mvnw -B -q -pl server-jersey -am package -DskipTests
command -v redis-server >/dev/null || { echo "redis-server is missing (apt-get install -y redis-server)"; exit 1; }

source bench/lib/work.sh
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" > "$WORK/redis.log" 2>&1 &
PIDS+=($!)
echo $! > "$WORK/redis.pid"

# start NAME PUBLISHER-FLAGS...: a server on a free port; its port is in $WORK/NAME.port
start() {
  local name=$1; shift
  local port; port=$(free_port)
  local opts=()
  [ "$name" != m ] && [ -n "${EXECSTREAM_JAVA_OPTS:-}" ] && read -ra opts <<< "$EXECSTREAM_JAVA_OPTS"
  mkdir -p "$WORK/ws-$name"
  java -Xmx2g "${opts[@]}" -jar "$JAR" serve --port "$port" --api-keys-file "$WORK/keys" --workspace-root "$WORK/ws-$name" \
      --token-secret "$SECRET" --max-history 1GB --history-budget 1GB "$@" > "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  echo $! > "$WORK/$name.pid"
  echo "$port" > "$WORK/$name.port"
}
start a --publisher redis --redis-url "redis://127.0.0.1:$REDIS_PORT"
start b --publisher redis --redis-url "redis://127.0.0.1:$REDIS_PORT"
start m --publisher memory
for name in a b m; do
  for _ in $(seq 600); do grep -q "listening" "$WORK/$name.log" && break; sleep 0.1; done
  grep -q "listening" "$WORK/$name.log" || { echo "server $name did not start:"; cat "$WORK/$name.log"; exit 1; }
done
url() { echo "http://127.0.0.1:$(cat "$WORK/$1.port")"; }

GEN="yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxy | head -c $((MB * 1000000))"
BYTES=$((MB * 1000000))

# run KIND: one throughput run; prints "MB/s events/s" (MB of content from the POST to the done event)
run() {
  local args
  if [ "$1" = redis ]; then args=(--post-base "$(url a)" --base "$(url b)"); else args=(--base "$(url m)"); fi
  node bench/loadgen/loadgen.js "${args[@]}" --key "$KEY" --mode bytes --command "$GEN" --expect-bytes "$BYTES" \
      --timeout-s 600 | tail -1 | node -e '
        const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
        if (!r.ok) { console.error("run failed: " + JSON.stringify(r)); process.exit(1); }
        const s = r.postToDoneMs / 1000;
        console.log((r.bytes / 1e6 / s).toFixed(1) + " " + (r.events / s).toFixed(0) + " " + r.events);'
}
# CPU seconds (user + system) a process has used so far
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$(cat "$WORK/$1.pid")/stat"; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

if [ "$PART" != latency ]; then
  run redis > /dev/null
  run memory > /dev/null
  : > "$WORK/redis.runs"; : > "$WORK/memory.runs"
  for i in $(seq $RUNS); do
    run redis >> "$WORK/redis.runs"
    run memory >> "$WORK/memory.runs"
  done
  echo "[bench] CPU seconds over the throughput runs (1 unmeasured and $RUNS measured of each): redis-server $(cpu redis), node A $(cpu a), node B $(cpu b), memory node $(cpu m)"
  rmbs=$(cut -d' ' -f1 "$WORK/redis.runs" | median); revs=$(cut -d' ' -f2 "$WORK/redis.runs" | median)
  mmbs=$(cut -d' ' -f1 "$WORK/memory.runs" | median); mevs=$(cut -d' ' -f2 "$WORK/memory.runs" | median)
  events=$(cut -d' ' -f3 "$WORK/redis.runs" | median)
  echo "[bench] two nodes, one redis-server: a ${MB} MB command on node A, its subscriber on node B, median of $RUNS runs: ${rmbs} MB/s, ${revs} events/s (~${events} events a run; runs: $(cut -d' ' -f1 "$WORK/redis.runs" | paste -sd/ -) MB/s)"
  echo "[bench] the same command on one node with --publisher memory, median of $RUNS runs: ${mmbs} MB/s, ${mevs} events/s (runs: $(cut -d' ' -f1 "$WORK/memory.runs" | paste -sd/ -) MB/s); redis/memory = $(awk -v r="$rmbs" -v m="$mmbs" 'BEGIN {printf "%.2f", r / m}')"

fi

[ "$PART" = throughput ] && exit 0
# Latency: one line a millisecond on node A (bench/loadgen/gen.js), received on node B.
: > "$WORK/latency.runs"
for i in $(seq $RUNS); do
  go="$WORK/go-$i"
  node bench/loadgen/loadgen.js --post-base "$(url a)" --base "$(url b)" --key "$KEY" --mode lines \
      --command "node $PWD/bench/loadgen/gen.js --interval-ms 1 --count $LATENCY_LINES --go-file $go --max-wait-s 120" \
      --go-file "$go" --expect-lines "$LATENCY_LINES" --timeout-s 120 | tail -1 | node -e '
        const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
        if (!r.ok) { console.error("latency run failed: " + JSON.stringify(r)); process.exit(1); }
        console.log(r.latP50.toFixed(2) + " " + r.latP99.toFixed(2));' >> "$WORK/latency.runs"
done
echo "[bench] two nodes: a line a millisecond written on node A -> its subscriber on node B, $LATENCY_LINES lines, median of $RUNS runs: p50 $(cut -d' ' -f1 "$WORK/latency.runs" | median) ms, p99 $(cut -d' ' -f2 "$WORK/latency.runs" | median) ms (p99 of each run: $(cut -d' ' -f2 "$WORK/latency.runs" | paste -sd/ -) ms)"
