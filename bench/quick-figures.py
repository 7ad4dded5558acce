#!/usr/bin/env python3
"""First figures for the standalone server: time from POST to the first event, and the rate of
one large output to one client, next to the same generator writing into a pipe.

Usage: python3 bench/quick-figures.py [--runs 5] [--mb 100]   (after ./mvnw -B -DskipTests package)
Starts server-jersey/target/execstream-server.jar on a free loopback port, prints medians.
"""
import argparse, http.client, json, os, socket, statistics, subprocess, sys, tempfile, time

JAR = "server-jersey/target/execstream-server.jar"


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def post(port, key, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/projects/bench/commands", json.dumps(body), {"X-API-Key": key, "Content-Type": "application/json"})
    r = c.getresponse(); data = json.loads(r.read()); c.close()
    assert r.status == 202, data
    return data


def follow(port, url):
    """Reads the stream to its end; returns (seconds to the first output event, content bytes, events)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter(); c.request("GET", url); r = c.getresponse()
    first, total, events, name = None, 0, 0, None
    for raw in r:
        line = raw.decode("utf-8").rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: ") and name == "output":
            if first is None:
                first = time.perf_counter()
            total += len(json.loads(line[6:])["content"].encode("utf-8")); events += 1
        elif line.startswith("data: ") and name == "gap":
            raise AssertionError("gap: " + line)
        elif line.startswith("data: ") and name == "done":
            break
    c.close()
    return first, total, events


def content_bytes(path):
    """Output bytes and output events in a saved event stream; fails on a gap."""
    total, events, name = 0, 0, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
                assert name != "gap", "the client fell behind the history"
            elif line.startswith("data: ") and name == "output":
                total += len(json.loads(line[6:])["content"].encode("utf-8")); events += 1
    return total, events


def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--runs", type=int, default=5); ap.add_argument("--mb", type=int, default=100)
    a = ap.parse_args()
    work = tempfile.mkdtemp(); key = "bench-key"; port = free_port()
    open(os.path.join(work, "keys"), "w").write(key + "\n")
    server = subprocess.Popen(["java", "-jar", JAR, "serve", "--port", str(port), "--api-keys-file", os.path.join(work, "keys"),
                               "--workspace-root", os.path.join(work, "ws"),
                               # history large enough that a client behind the generator catches up without a gap
                               "--max-history", "1GB", "--history-budget", "4GB"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close(); break
            except OSError:
                if time.time() > deadline: raise
                time.sleep(0.05)
        # warm-up
        for _ in range(3):
            follow(port, post(port, key, {"command": ["echo", "warm"]})["stream_url"])
        latencies = []
        for _ in range(a.runs * 4):
            t0 = time.perf_counter()
            d = post(port, key, {"command": ["echo", "hi"]})
            first, _, _ = follow(port, d["stream_url"])
            latencies.append((first - t0) * 1000)
        gen = f"head -c {a.mb * 1000 * 1000} /dev/zero | tr '\\0' 'a' | fold -w 99"
        pipe, served, evs = [], [], []
        for _ in range(a.runs):
            t0 = time.perf_counter(); subprocess.run(["sh", "-c", gen + " | cat > /dev/null"], check=True); pipe.append(time.perf_counter() - t0)
            t0 = time.perf_counter(); d = post(port, key, {"command": gen})
            # curl reads the stream: a Python reader would be the bottleneck, not the server
            out = os.path.join(work, "events")
            subprocess.run(["curl", "-sN", "-o", out, f"http://127.0.0.1:{port}{d['stream_url']}"], check=True)
            served.append(time.perf_counter() - t0)
            total, events = content_bytes(out); evs.append(events)
            expected = a.mb * 1000 * 1000 + (a.mb * 1000 * 1000) // 99
            assert total == expected, (total, expected)
        mb = a.mb
        print(f"POST -> first output event, ms: median {statistics.median(latencies):.1f} "
              f"(min {min(latencies):.1f}, max {max(latencies):.1f}, n={len(latencies)})")
        print(f"{mb} MB to one SSE client: median {mb / statistics.median(served):.0f} MB/s; "
              f"same generator into a pipe: {mb / statistics.median(pipe):.0f} MB/s; "
              f"ratio {statistics.median(pipe) / statistics.median(served):.2f}; events per run ~{statistics.median(evs):.0f}")
    finally:
        server.terminate(); server.wait(30)


if __name__ == "__main__":
    sys.exit(main())
