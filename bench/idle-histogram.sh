#!/usr/bin/env bash
# What an idle subscriber costs execstream's heap, class by class: starts the server (a jar, by
# default server-jersey/target/execstream-server.jar), a `sleep` command, takes a class histogram
# (jcmd GC.class_histogram, which collects first), connects N subscribers to the command's stream
# (loadgen.js --mode idle, 2 workers), takes a second histogram while they are connected, and
# prints the difference per subscriber: the total in KB and the 30 largest classes.
#
#   bash bench/idle-histogram.sh [N=2000] [JAR]
#
# Needs a JDK 17+ (java, jcmd), Node.js 20+, curl and python3; everything stays on 127.0.0.1,
# and only the processes it started are stopped.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
N="${1:-2000}"
JAR="${2:-$HERE/../server-jersey/target/execstream-server.jar}"
[ -f "$JAR" ] || { echo "no jar at $JAR: build it with ./mvnw -B -q -DskipTests package" >&2; exit 2; }
WORK="$(mktemp -d)"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
KEY="histogram-$RANDOM$RANDOM"
echo "$KEY" > "$WORK/keys"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
java -Xmx1g -jar "$JAR" serve --port "$PORT" --api-keys-file "$WORK/keys" --workspace-root "$WORK/ws" \
  --keepalive 5s --publisher memory > "$WORK/server.log" 2>&1 &
SERVER=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 150); do curl -sf -o /dev/null "$BASE/healthz" && break; sleep 0.2; done
curl -sf -o /dev/null "$BASE/healthz" || { echo "the server did not start; its log:" >&2; cat "$WORK/server.log" >&2; exit 1; }
URL="$(curl -sf -H "X-API-Key: $KEY" -H 'Content-Type: application/json' -d '{"command":"sleep 600"}' \
  "$BASE/projects/bench/commands" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stream_url"])')"
sleep 1
jcmd "$SERVER" GC.class_histogram > "$WORK/before.txt"
# The subscribers stay until "close" on the load generator's stdin, sent once the second histogram is taken.
mkfifo "$WORK/control"
node "$HERE/loadgen/loadgen.js" --base "$BASE" --key "$KEY" --mode idle --subs "$N" --workers 2 --path "$URL" \
  --hold-s 120 < "$WORK/control" > "$WORK/loadgen.out" 2>&1 &
LOADGEN=$!
exec 3> "$WORK/control"
for _ in $(seq 600); do grep -q '"phase":"connected"' "$WORK/loadgen.out" && break; sleep 0.1; done
grep -q '"phase":"connected"' "$WORK/loadgen.out" || { echo "the subscribers did not all connect:" >&2; cat "$WORK/loadgen.out" >&2; exit 1; }
sleep 2
jcmd "$SERVER" GC.class_histogram > "$WORK/after.txt"
echo close >&3
exec 3>&-
wait "$LOADGEN" || { echo "the load generator failed:" >&2; tail -1 "$WORK/loadgen.out" >&2; exit 1; }
python3 - "$N" "$WORK/before.txt" "$WORK/after.txt" <<'PY'
import re, sys
n = int(sys.argv[1])
def load(path):
    classes = {}
    for line in open(path):
        m = re.match(r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)', line)
        if m:
            classes[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return classes
before, after = load(sys.argv[2]), load(sys.argv[3])
rows = sorted(((size - before.get(name, (0, 0))[1], count - before.get(name, (0, 0))[0], name)
               for name, (count, size) in after.items()), reverse=True)
print(f"{n} idle subscribers: {sum(r[0] for r in rows) / n / 1024:.2f} KB of heap each")
print(f"{'bytes':>9} {'objects':>8}  class (per subscriber)")
for size, count, name in rows[:30]:
    print(f"{size / n:9.1f} {count / n:8.2f}  {name}")
PY
