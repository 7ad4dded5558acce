# Sourced by the bench's shell scripts: a work dir, the processes they start, and an API key.
#   WORK     a temp dir, removed on exit with every process whose pid is in PIDS
#   KEY      a random API key, in $WORK/keys (the servers' --api-keys-file)
#   free_port  prints a free loopback port
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
KEY=bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$KEY" > "$WORK/keys"
