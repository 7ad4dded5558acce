#!/usr/bin/env bash
# The benchmark suite, side by side: execstream's standalone server (its Grizzly fast path), the same
# API through ExecStreamFeature on Jersey's Grizzly container (bench/jaxrs-server/, the JAX-RS path),
# and the peers: better-sse (bench/peers/better-sse/), Spring WebFlux (bench/peers/webflux/) and plain
# JAX-RS SSE on Jersey (bench/peers/jersey-broadcaster/).
#
#   bash bench/run.sh              full run (six servers, roughly 1.5-2 hours): rewrites the generated section of BENCHMARKS.md
#   bash bench/run.sh --quick      small sizes, fast path and peer, < 3.5 min (CI): exits non-zero if a scenario breaks
#   bash bench/run.sh --quick --no-write   same, but the report goes to a temp file (CI: BENCHMARKS.md untouched)
#   other flags: --out FILE, --only startup,latency,throughput,fanout,many-streams,fanout10k,idle,loadgen, --runs N,
#                --servers execstream,execstream-jaxrs,better-sse,webflux,jersey-broadcaster (any of them; --quick's
#                default leaves out execstream-jaxrs and the JVM peers)
#                --pin-cores (each server and its commands on CPU 0, the clients on the other cores: the
#                server's own work, with no client taking its CPU time)
#   bash bench/run.sh --soak [--minutes 10] [--subs 500] [--write]   the soak scenario alone (bench/soak.js)
#
# It builds only what is missing: the server jar (EXECSTREAM_JAR=path picks one; otherwise the newest of
# server-jersey/target*/execstream-server.jar (any -Dexecstream.target build dir), rebuilt into target-bench when missing or older
# than the sources), the JAX-RS server jar when the run includes it (EXECSTREAM_JAXRS_JAR=path picks one; otherwise
# bench/jaxrs-server/target-bench/execstream-jaxrs-server.jar, rebuilt when missing or older than the sources), the JVM
# peers' jars when the run includes them (bench/peers/*/target-bench, rebuilt when missing or older than their sources)
# and the better-sse peer's node_modules (npm ci from the committed package-lock.json).
# Needs a JDK 17+ (javac too, for the Java client), Node.js 20+, npm, curl and bash;
# all traffic stays on 127.0.0.1. EXECSTREAM_JAVA_OPTS adds JVM flags.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v node >/dev/null || { echo "bench: node (20+) is needed" >&2; exit 2; }
command -v java >/dev/null || { echo "bench: java (17+) is needed" >&2; exit 2; }
command -v javac >/dev/null || { echo "bench: javac (a JDK 17+) is needed for the Java client" >&2; exit 2; }
command -v curl >/dev/null || { echo "bench: curl is needed" >&2; exit 2; }

# --- the jars
# A source or pom the JAX-RS server's jar is built from (the server's, and bench/jaxrs-server's own) newer than $1, if any.
newer_source() {
  { find . -path ./bench -prune -o -path '*/target*' -prune -o -path './.git' -prune -o \
         \( -path '*/src/main/*' -o -name pom.xml \) -type f -newer "$1" -print -quit
    find bench/jaxrs-server -path '*/target*' -prune -o -type f -newer "$1" -print -quit; } | head -n 1
}
jar="${EXECSTREAM_JAR:-}"
if [ -z "$jar" ]; then
  for j in server-jersey/target*/execstream-server.jar; do
    if [ -f "$j" ] && { [ -z "$jar" ] || [ "$j" -nt "$jar" ]; }; then jar="$j"; fi
  done
  stale=""
  if [ -n "$jar" ]; then
    stale=$(find . -path ./bench -prune -o -path '*/target*' -prune -o -path './.git' -prune -o \
                 \( -path '*/src/main/*' -o -name pom.xml \) -type f -newer "$jar" -print -quit)
  fi
  if [ -z "$jar" ] || [ -n "$stale" ]; then
    echo "bench: building the server jar into server-jersey/target-bench (${stale:+newer source: $stale}${jar:-no jar yet})" >&2
    ./mvnw -B -q -DskipTests package -Dexecstream.target=target-bench
    jar=server-jersey/target-bench/execstream-server.jar
  fi
fi
[ -f "$jar" ] || { echo "bench: no jar at $jar" >&2; exit 2; }

# The JAX-RS server (bench/jaxrs-server, in the bench profile only): when the run includes it, i.e.
# a full run, or --servers naming execstream-jaxrs.
jaxrs_wanted=yes
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --quick) jaxrs_wanted=no ;;
  esac
done
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --servers) case ",${args[i+1]:-}," in *,execstream-jaxrs,*) jaxrs_wanted=yes ;; *) jaxrs_wanted=no ;; esac ;;
    --servers=*) echo "bench: write --servers LIST, not --servers=LIST" >&2; exit 2 ;;
  esac
done
[ "${1:-}" = "--soak" ] && jaxrs_wanted=no
jaxrs_jar="${EXECSTREAM_JAXRS_JAR:-bench/jaxrs-server/target-bench/execstream-jaxrs-server.jar}"
if [ "$jaxrs_wanted" = yes ] && [ -z "${EXECSTREAM_JAXRS_JAR:-}" ]; then
  stale=""
  [ -f "$jaxrs_jar" ] && stale=$(newer_source "$jaxrs_jar")
  if [ ! -f "$jaxrs_jar" ] || [ -n "$stale" ]; then
    echo "bench: building the JAX-RS server jar into bench/jaxrs-server/target-bench (${stale:+newer source: $stale}$([ -f "$jaxrs_jar" ] || echo no jar yet))" >&2
    ./mvnw -B -q -DskipTests -Pbench -pl bench/jaxrs-server -am package -Dexecstream.target=target-bench
  fi
fi
if [ "$jaxrs_wanted" = yes ]; then
  [ -f "$jaxrs_jar" ] || { echo "bench: no JAX-RS server jar at $jaxrs_jar" >&2; exit 2; }
fi

# The JVM peers: built when the run includes them (a full run, or --servers naming them). The WebFlux
# peer is a Spring Boot project of its own (Boot's parent, not execstream's); the Jersey one is a
# module of the bench profile (the project's Jersey version).
servers="execstream,execstream-disk,execstream-jaxrs,better-sse,webflux,jersey-broadcaster"
for ((i = 0; i < ${#args[@]}; i++)); do [ "${args[i]}" = "--quick" ] && servers="execstream,execstream-disk,better-sse"; done
for ((i = 0; i < ${#args[@]}; i++)); do [ "${args[i]}" = "--servers" ] && servers="${args[i+1]:-}"; done
[ "${1:-}" = "--soak" ] && servers=""
peer_jars=()
# build_peer NAME JAR SOURCES -- BUILD...: builds the jar when the run includes NAME and it is missing or older than
# any file of SOURCES (files or directories).
build_peer() {
  local name=$1 jar=$2 sources=()
  shift 2
  while [ "$1" != "--" ]; do sources+=("$1"); shift; done
  shift
  case ",$servers," in *,"$name",*) ;; *) return 0 ;; esac
  local stale=""
  [ -f "$jar" ] && stale=$(find "${sources[@]}" -path '*/target*' -prune -o -type f -newer "$jar" -print | head -n 1)
  if [ ! -f "$jar" ] || [ -n "$stale" ]; then
    echo "bench: building the $name peer's jar (${stale:+newer source: $stale}$([ -f "$jar" ] || echo no jar yet))" >&2
    "$@"
    [ -f "$jar" ] && touch "$jar" # Maven leaves an up-to-date jar as it was: now it is newer than its sources
  fi
  [ -f "$jar" ] || { echo "bench: no $name jar at $jar" >&2; exit 2; }
  peer_jars+=("--$name-jar" "$jar")
}
build_peer webflux bench/peers/webflux/target-bench/execstream-peer-webflux.jar bench/peers/webflux bench/peers/shared -- \
  ./mvnw -B -q -f bench/peers/webflux/pom.xml -DskipTests package -Dexecstream.target=target-bench
build_peer jersey-broadcaster bench/peers/jersey-broadcaster/target-bench/execstream-peer-jersey-broadcaster.jar \
  bench/peers/jersey-broadcaster bench/peers/shared pom.xml -- ./mvnw -B -q -DskipTests -Pbench -pl bench/peers/jersey-broadcaster package -Dexecstream.target=target-bench

# --- the better-sse peer's dependencies (pinned in package-lock.json)
peer=bench/peers/better-sse
if [ ! -f "$peer/node_modules/.package-lock.json" ] || [ "$peer/package-lock.json" -nt "$peer/node_modules/.package-lock.json" ]; then
  echo "bench: npm ci in $peer" >&2
  (cd "$peer" && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- file descriptors: 10,000 idle connections (and fanout10k's subscribers) need as many on each side
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "bench: open files limit $(ulimit -n)" >&2

if [ "${1:-}" = "--soak" ]; then
  shift
  exec node bench/soak.js --jar "$jar" "$@"   # the soak scenario: bench/soak.js
fi
exec node bench/bench.js --jar "$jar" --jaxrs-jar "$jaxrs_jar" ${peer_jars[@]+"${peer_jars[@]}"} "$@"
