#!/usr/bin/env bash
# JMH microbenchmarks: the publisher's append and fan-out, output events made from reads, and their JSON.
# Usage: bench/jmh/run.sh [JMH options]   (default: -f 1 -wi 3 -i 5 -w 2s -r 3s)
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -Pbench -DskipTests -pl bench/jmh -am package
java -jar bench/jmh/target/benchmarks.jar ${@:--f 1 -wi 3 -i 5 -w 2s -r 3s}
