#!/usr/bin/env bash
# The Redis publisher's figures: appends per second through one node, and the latency from an
# append on node A to a subscriber on node B (p50/p99), medians of 3 runs against a real
# redis-server started on a free port. Prints them and appends them to BENCHMARKS.md.
# Usage: bench/redis-publisher.sh      (needs redis-server: apt-get install -y redis-server)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(./mvnw -B -q -pl adapters-redis -am verify -Dexecstream.bench=true -Dtest=RedisPublisherBenchmark \
      -Dsurefire.failIfNoSpecifiedTests=false -DtrimStackTrace=false 2>&1 | grep '^\[bench\]' || true)
[ -n "$out" ] || { echo "no figures: is redis-server installed?"; exit 1; }
echo "$out"
{
  echo
  echo "## Redis publisher ($(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1))"
  echo
  echo "Command: \`bench/redis-publisher.sh\`"
  echo
  echo "$out" | sed 's/^\[bench\] /- /'
} >> BENCHMARKS.md
