#!/usr/bin/env bash
# gen.js's lines from bash alone, for scenarios with hundreds of commands at once, where a Node.js
# process per command (~40 MB) would cost more memory than the servers: "<send time as epoch ms,
# 3 decimals> <seq>\n" every INTERVAL_MS, COUNT lines, on absolute deadlines (no drift), after
# GO_FILE exists (at most MAX_WAIT_S). No process is forked per line: the time is $EPOCHREALTIME,
# and the waits are `read -t` on a pipe this shell holds both ends of, which never has data.
#   bash gen.sh INTERVAL_MS COUNT GO_FILE [MAX_WAIT_S]
export LC_ALL=C
interval_us=$(( $1 * 1000 )) count=$2 go=$3 max_wait_us=$(( ${4:-120} * 1000000 ))
exec 9<> <(:)
now() { now=${EPOCHREALTIME/./}; }
wait_until() { # $1: epoch microseconds
  now
  local d=$(( $1 - now ))
  if (( d > 0 )); then printf -v d '%d.%06d' $(( d / 1000000 )) $(( d % 1000000 )); read -r -t "$d" -u 9; fi
}
now; start=$now
while [[ ! -e $go ]]; do
  if (( now - start > max_wait_us )); then echo "gen.sh: no go file" >&2; exit 3; fi
  wait_until $(( now + 100000 )) # every 100 ms: 500 of these wait at once, and a finer poll loads the machine
done
now; t0=$now
for (( i = 1; i <= count; i++ )); do
  wait_until $(( t0 + (i - 1) * interval_us ))
  now
  printf '%d.%03d %d\n' $(( now / 1000 )) $(( now % 1000 )) "$i"
done
