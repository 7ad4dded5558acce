"""Helper of bench/many-streams-perf.sh: splits each server's perf samples in the steady part of its
measured runs by system call and by thread, and gives the CPU of the runs' edges beside it.

Usage: perf-split.py DIR HZ (HZ: the sampling rate of the recording, perf record -F).
Inputs in DIR: windows.jsonl (bench.js's EXECSTREAM_BENCH_WINDOWS: per lines run its label, server, pid
and window from the client's go to its end, in CLOCK_MONOTONIC seconds: the window over which the suite
reports server CPU) and script.gz (`perf script` of a recording made with `-k mono`, so on the same
clock). Warm-up runs are left out. The steady part leaves out the first 2 s and the last 3 s of each
window, where the first lines and the commands' exits fall; those edges are reported by thread.
"""
import collections
import gzip
import json
import re
import sys

SKIP_START, SKIP_END = 2.0, 3.0

out, hz = sys.argv[1], int(sys.argv[2])
EDGES = (f"first {SKIP_START:g} s", SKIP_START), (f"last {SKIP_END:g} s", SKIP_END)
windows = collections.defaultdict(list)   # pid -> [(from, to)]
server_of = {}
for line in open(f"{out}/windows.jsonl"):
    w = json.loads(line)
    if "warm-up" in w["label"]:
        continue
    server_of[str(w["pid"])] = w["server"]
    windows[str(w["pid"])].append((w["from"], w["to"]))
if not windows:
    sys.exit(f"perf-split: no measured run in {out}/windows.jsonl")

by_call = collections.defaultdict(collections.Counter)
by_thread = collections.defaultdict(collections.Counter)
edges = collections.defaultdict(collections.Counter)          # (server, edge's name) -> thread -> samples


def thread_name(comm):
    return re.sub(r"[-#\s\d]+$", "", comm)


def account(comm, pid, t, frames):
    window = next(((a, b) for a, b in windows.get(pid, ()) if a <= t <= b), None)
    if window is None:
        return
    server = server_of[pid]
    if t < window[0] + SKIP_START or t > window[1] - SKIP_END:
        edges[(server, EDGES[0][0] if t < window[0] + SKIP_START else EDGES[1][0])][thread_name(comm)] += 1
        return
    call = None
    for i, f in enumerate(frames):
        if " do_syscall_64 " in f and i > 0:
            j = i - 1
            if frames[j].split()[1] == "x64_sys_call" and j > 0:   # the dispatcher: the handler is below it
                j -= 1
            call = re.sub(r"^(__x64_sys_|__do_sys_|ksys_|__se_sys_|do_)", "", frames[j].split()[1])
            break
    if call is not None and re.search(r"pvm_irq|exit_to_user_mode|syscall_exit", call):
        call = "entry and exit (the guest's interrupt enabling)"
    if call is None:
        kind = "kernel outside a system call (interrupts, faults)" if any("kernel.kallsyms" in f for f in frames) else "user space"
    else:
        on = " on a pipe" if any("pipe_read" in f or "pipe_write" in f for f in frames) else \
             " on a socket" if any("tcp_" in f or "unix_stream" in f or "sock_" in f for f in frames) else ""
        kind = f"system call {call}{on}"
    by_call[server][kind] += 1
    by_thread[server][thread_name(comm)] += 1


current, frames = None, []
for line in gzip.open(f"{out}/script.gz", "rt", errors="replace"):
    if not line.strip():
        if current:
            account(*current, frames)
        current, frames = None, []
    elif not line[0].isspace():
        m = re.match(r"(.+?)\s+(\d+)/\d+\s+([\d.]+):", line)
        if m:
            current = (m.group(1).strip(), m.group(2), float(m.group(3)))
    else:
        frames.append(line.strip())
if current:
    account(*current, frames)

for server, calls in by_call.items():
    n = sum(calls.values())
    runs = [(a, b) for pid, ws in windows.items() if server_of[pid] == server for a, b in ws]
    seconds = sum(b - a - SKIP_START - SKIP_END for a, b in runs)
    core = 100 * n / hz / seconds
    whole = (n + sum(sum(edges[(server, e)].values()) for e, _ in EDGES)) / hz / sum(b - a for a, b in runs)
    print(f"{server}: {len(runs)} measured runs, {100 * whole:.0f} % of a core over their whole windows (the suite's figure)")
    for edge, span in EDGES:
        threads = edges[(server, edge)]
        k = sum(threads.values())
        top = ", ".join(f"{name} {100 * c / hz / span / len(runs):.0f}" for name, c in threads.most_common(3))
        print(f"  {edge} of each run: {100 * k / hz / span / len(runs):.0f} % of a core ({top})")
    print(f"  steady part: {n} samples in {seconds:.0f} s, {core:.0f} % of a core")
    for kind, k in calls.most_common(12):
        print(f"  {100 * k / n:5.1f} % ({core * k / n:4.1f} points of a core)  {kind}")
    print("  by thread:")
    for name, k in by_thread[server].most_common(8):
        print(f"  {100 * k / n:5.1f} % ({core * k / n:4.1f} points of a core)  {name}")
