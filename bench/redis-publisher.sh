#!/usr/bin/env bash
# The Redis publisher's figures, against real redis-servers started on free ports: events per
# second through one node's group commit (one stream; 100 streams by 4 threads) and the latency
# from an append on node A to a subscriber on node B at 1,000 events/s, medians of 3 runs, and
# a chatty command's 32 KiB events from node A to node B (MB/s, CPU per MB)
# (RedisPublisherBenchmark); then two standalone server nodes on one redis-server against the
# memory publisher (bench/redis-two-nodes.sh, MB as its argument, default 200). Prints them and
# appends them to BENCHMARKS.md.
# Usage: bench/redis-publisher.sh [MB]      (needs redis-server: apt-get install -y redis-server; and node)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(./mvnw -B -q -pl adapters-redis -am verify -Dexecstream.bench=true -Dtest=RedisPublisherBenchmark \
      -Dsurefire.failIfNoSpecifiedTests=false -DtrimStackTrace=false 2>&1 | grep '^\[bench\]' || true)
[ -n "$out" ] || { echo "no figures: is redis-server installed?"; exit 1; }
[ -f "${EXECSTREAM_JAR:-server-jersey/target/execstream-server.jar}" ] || ./mvnw -B -q -pl server-jersey -am package -DskipTests
out="$out
$(bash bench/redis-two-nodes.sh "${1:-200}" | grep '^\[bench\]')"
echo "$out"
{
  echo
  echo "## Redis publisher ($(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1))"
  echo
  echo "Command: \`bench/redis-publisher.sh\`"
  echo
  echo "$out" | sed 's/^\[bench\] /- /'
} >> BENCHMARKS.md
