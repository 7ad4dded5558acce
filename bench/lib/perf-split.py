"""Helper of bench/many-streams-perf.sh: splits each server's perf samples in the steady part of its
measured many-streams runs by system call and by thread.

Inputs in DIR: pids.txt ("server pid" lines), run.log (bench/run.sh's log: "[bench  Ns] many-streams ...
run 1 [(Java client)] SERVER: ..." at the end of each measured run), script.gz (perf script output).
The perf recording starts with bench/run.sh, so its first sample is taken as the bench's second 0; run.sh's
own steps before bench.js starts take a second or two, which the margins of each window cover.
"""
import collections
import gzip
import re
import sys

LINES_S = 15.0        # 300 lines, one every 50 ms
SKIP_START, SKIP_END = 2.0, 3.0

out = sys.argv[1]
pids = {}
for line in open(f"{out}/pids.txt"):
    server, pid = line.split()
    pids[pid] = server
windows = collections.defaultdict(list)
for line in open(f"{out}/run.log"):
    m = re.match(r"\[bench\s+(\d+)s\] many-streams \S+ run \d+ (?:\(Java client\) )?(\S+):", line)
    if m:
        end = float(m.group(1))
        windows[m.group(2)].append((end - LINES_S + SKIP_START, end - SKIP_END))

by_call = collections.defaultdict(collections.Counter)
by_thread = collections.defaultdict(collections.Counter)
t0 = None


def account(comm, pid, t, frames):
    server = pids.get(pid)
    if server is None or not any(a <= t - t0 <= b for a, b in windows[server]):
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
    by_thread[server][re.sub(r"[-#\s\d]+$", "", comm)] += 1


current, frames = None, []
for line in gzip.open(f"{out}/script.gz", "rt", errors="replace"):
    if not line.strip():
        if current:
            account(*current, frames)
        current, frames = None, []
    elif not line[0].isspace():
        m = re.match(r"(.+?)\s+(\d+)/\d+\s+([\d.]+):", line)
        if m:
            t = float(m.group(3))
            t0 = t if t0 is None else t0
            current = (m.group(1).strip(), m.group(2), t)
    else:
        frames.append(line.strip())
if current:
    account(*current, frames)

for server, calls in by_call.items():
    n = sum(calls.values())
    seconds = sum(b - a for a, b in windows[server])
    core = 100 * n / 499 / seconds
    print(f"{server}: {n} samples in {seconds:.0f} s of steady state, {core:.0f} % of a core")
    for kind, k in calls.most_common(12):
        print(f"  {100 * k / n:5.1f} % ({core * k / n:4.1f} points of a core)  {kind}")
    print("  by thread:")
    for name, k in by_thread[server].most_common(8):
        print(f"  {100 * k / n:5.1f} % ({core * k / n:4.1f} points of a core)  {name}")
