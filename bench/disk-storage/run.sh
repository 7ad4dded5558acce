#!/usr/bin/env bash
# Compares the storages considered for the disk publisher (docs/disk.md): append-only segment files
# with a small index, H2 MVStore and SQLite (sqlite-jdbc). One command:
#   bash bench/disk-storage/run.sh [events-of-1KiB] [events-of-64KiB]
# Jars come from Maven Central through the wrapper into bench/disk-storage/target/lib; the data goes
# to a temporary directory on the disk of $TMPDIR (default /tmp), removed at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lib="$here/target/lib"
mkdir -p "$lib"
for artifact in com.h2database:h2:2.3.232 org.xerial:sqlite-jdbc:3.50.3.0; do
  jar="$(echo "$artifact" | awk -F: '{print $2 "-" $3 ".jar"}')"
  if [ ! -f "$lib/$jar" ]; then
    # Outside the reactor: the goal needs no project.
    (cd "$lib" && "$root/mvnw" -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="$artifact" -DoutputDirectory="$lib")
  fi
done
data="$(mktemp -d "${TMPDIR:-/tmp}/disk-storage-bench.XXXXXX")"
trap 'rm -rf "$data"' EXIT
java -Xmx512m -cp "$lib/*" "$here/DiskStorageBench.java" "$data" "${1:-50000}" "${2:-2000}"
