#!/usr/bin/env bash
# Two sets of JVM options for the server, side by side on 300 MB throughput runs.
#   bash bench/jvm-options-ab.sh JAR "OPTIONS A" "OPTIONS B" [ROUNDS]
# Each round starts a fresh server with A, then one with B (the order flips every other round);
# each server gets WARM unmeasured and MEASURED measured runs (environment; 2 and 2 by default:
# more of them fill the 512MB history budget). Per measured run it prints MB/s, the server's
# CPU per MB (user and system time from /proc), its minor page faults and its peak RSS. Options
# are split on spaces; pass "" for none, e.g. bash bench/jvm-options-ab.sh JAR "" "-Xmx2g" 4.
# JAR_B=other.jar runs B with that jar instead: two builds side by side (give both the same options).
# It also prints each server's GC threads' CPU per MB (G1's workers and concurrent markers).
# The generator is run.sh's throughput one, `yes` with 101-byte lines (it outruns any server
# here); the client is run.sh's second throughput client, the Java socket reader
# (bench/loadgen/java/SseBench.java, --mode bytes), which checks every byte. It takes its share of
# the cores, the same for A and B (bench/README.md: honest limits).
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
jar=$1; a=$2; b=$3; rounds=${4:-3}; WARM=${WARM:-2}; MEASURED=${MEASURED:-2}; jar_b=${JAR_B:-$1}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo bench-key > "$work/keys"
bytes=300000000
generator="yes \$(printf %0100d 0) | head -c $bytes"
javac -d "$work/sse-bench" "$here/loadgen/java/SseBench.java"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

gc_ticks() { # gc_ticks PID: CPU ticks of G1's worker and concurrent-mark threads so far
  local t comm rest sum=0
  for t in /proc/"$1"/task/*; do
    comm=$(cat "$t/comm" 2>/dev/null) || continue
    case "$comm" in
      "GC Thread#"*|"G1 Conc#"*)
        rest=$(sed 's/.*) //' "$t/stat" 2>/dev/null) || continue
        # shellcheck disable=SC2086 # the fields after the name, from field 3 (state) on
        set -- $rest
        sum=$((sum + ${12} + ${13})) ;;
    esac
  done
  echo "$sum"
}

one() { # one() LABEL OPTIONS
  local label=$1 pid run stat0 stat1 gc0 gc1 result
  # shellcheck disable=SC2086 # options are words
  java $2 -jar "$(if [ "$label" = B ]; then echo "$jar_b"; else echo "$jar"; fi)" serve --port "$port" --api-keys-file "$work/keys" --workspace-root "$work/ws" \
    --max-history 1GB --history-budget 512MB > "$work/server-$label.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  for run in $(seq $((WARM + MEASURED))); do
    stat0=$(awk '{print $14, $15, $10}' "/proc/$pid/stat"); gc0=$(gc_ticks "$pid")
    result=$(java -Xmx1g -XX:+UseSerialGC -cp "$work/sse-bench" SseBench --base "http://127.0.0.1:$port" --key bench-key \
      --mode bytes --command "$generator" --expect-bytes "$bytes" | tail -1)
    stat1=$(awk '{print $14, $15, $10}' "/proc/$pid/stat"); gc1=$(gc_ticks "$pid")
    [ "$run" -le "$WARM" ] && continue
    python3 - "$label" "$result" "$stat0" "$stat1" "$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")" \
      "$(getconf CLK_TCK)" "$bytes" "$((gc1 - gc0))" <<'PY'
import json, sys
label, result, s0, s1, hwm, tck, nbytes, gc = sys.argv[1:]
r = json.loads(result); (u0, y0, f0), (u1, y1, f1) = (map(int, s0.split()), map(int, s1.split()))
mb = int(nbytes) / 1e6; ms = lambda ticks: ticks * 1000 / int(tck) / mb
print(f"{label}  {mb / (r['postToDoneMs'] / 1000):6.1f} MB/s  user {ms(u1 - u0):5.1f}  sys {ms(y1 - y0):5.1f} ms/MB"
      f"  GC {ms(int(gc)):4.2f} ms/MB  faults {f1 - f0:7d}  peak RSS {hwm:5s} MB  {'ok' if r['ok'] else 'BROKEN'}")
PY
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "A: ${a:-(none)}"; echo "B: ${b:-(none)}"
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then one A "$a"; one B "$b"; else one B "$b"; one A "$a"; fi
done
