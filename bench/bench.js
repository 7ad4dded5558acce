#!/usr/bin/env node
"use strict";
// The benchmark suite's driver (bench/run.sh builds what is missing, then runs this).
// Runs every scenario against execstream (its standalone server, with its Grizzly fast path for
// event streams), execstream's API through ExecStreamFeature on Jersey's Grizzly container
// (bench/jaxrs-server, the portable JAX-RS path) and the peers (better-sse on Node.js; Spring
// WebFlux and plain JAX-RS SSE on Jersey, on the JVM), side by side, and writes
// the figures into BENCHMARKS.md (or --out FILE, or a temp file with --no-write).
//
//   node bench/bench.js --jar JAR [--jaxrs-jar JAR] [--webflux-jar JAR] [--jersey-broadcaster-jar JAR] [--quick] [--no-write]
//        [--out FILE] [--only a,b] [--runs N] [--servers execstream,execstream-jaxrs,better-sse,webflux,...] [--fanout-subs 1000,5000]
//        [--pin-cores]
//
// Scenarios (--only names): startup, latency, throughput, fanout, many-streams, fanout10k, idle (which
// also counts threads against running commands), and loadgen (every client alone, for its ceiling).
// Exit status: 0 when every scenario ran and every subscriber got everything; 1 otherwise.
// Every child process is started by this script and killed by its pid; every wait is bounded.
const { spawn, spawnSync, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { freePort, request: keyedRequest, postToFirstEvent: firstEvent } = require("./lib/http");

const ROOT = path.resolve(__dirname, "..");
const BENCH = __dirname;
const LOADGEN = path.join(BENCH, "loadgen", "loadgen.js");
const GEN = path.join(BENCH, "loadgen", "gen.js");
const SOURCE = path.join(BENCH, "loadgen", "source.js");
const FIFO_GEN = path.join(BENCH, "loadgen", "fifo-gen.js"); // gen.js's lines for hundreds of commands from one process
const SSE_BENCH_SRC = path.join(BENCH, "loadgen", "java", "SseBench.java"); // the second, independent client
const PEER = path.join(BENCH, "peers", "better-sse", "server.js");
const KEY = "bench-key-0123456789";

// ------------------------------------------------------------------------------------------ args
const argv = process.argv.slice(2);
const flag = (k) => argv.includes(k);
const opt = (k, d) => { const i = argv.indexOf(k); return i >= 0 ? argv[i + 1] : d; };
const QUICK = flag("--quick");
const JAR_GIVEN = path.resolve(opt("--jar", process.env.EXECSTREAM_JAR || path.join(ROOT, "server-jersey/target/execstream-server.jar")));
const JAVA_OPTS = (process.env.EXECSTREAM_JAVA_OPTS || "").split(/\s+/).filter(Boolean);
const ONLY = opt("--only", null) ? opt("--only").split(",") : null;
// --quick: two rounds (its figures are indicative; it runs so that nothing rots, within CI's time)
const RUNS = Number(opt("--runs", QUICK ? "2" : "3"));
const P = QUICK
  ? { throughputMB: 10, throughputWarmRuns: 1, fanoutSubs: [100], fanoutLines: 100, fanoutWarmRuns: 1, idleSubs: 500, idleKeepalive: "1s", idleHoldS: 3, latencyLines: 100,
      startups: 3, warmPosts: 5, sleepS: 120, deadlineS: 260, idleRuns: 1, loadgenRuns: 1 }
  : { throughputMB: 300, throughputWarmRuns: 3, fanoutSubs: [100, 1000, 5000], fanoutLines: 500, fanoutWarmRuns: 3, idleSubs: 10000, idleKeepalive: "5s", idleHoldS: 11,
      latencyLines: 1000, startups: 5, warmPosts: 20, sleepS: 600, deadlineS: 120 * 60, idleRuns: RUNS, loadgenRuns: RUNS };
// The scenarios at scale, and the second clients' runs. crossRuns: how many of the measured rounds
// also run the second client (the Java one in fan-out and many-streams; the Java socket reader and
// the line-oriented generator in throughput); --quick runs the reader and the line-oriented generator
// once in throughput, and the Java client only against source.js (the loadgen scenario), to keep CI's run short. fanout10k is left out of --quick (its code is fan-out's,
// which --quick runs) unless --only names it.
Object.assign(P, QUICK
  ? { manyStreams: { streams: 20, subs: 40, lines: 40, intervalMs: 50, warmRuns: 0, rounds: 1, crossRuns: 0 }, fanout10k: { subs: 500, lines: 100, warmRuns: 0 },
      threadCommands: [10], crossRuns: 1, fanoutCrossRuns: 0 }
  : { manyStreams: { streams: 500, subs: 2000, lines: 300, intervalMs: 50, warmRuns: 3, rounds: RUNS, crossRuns: RUNS }, fanout10k: { subs: 10000, lines: 500, warmRuns: 1 },
      threadCommands: [10, 50], crossRuns: RUNS, fanoutCrossRuns: RUNS });
if (opt("--fanout-subs", null)) P.fanoutSubs = opt("--fanout-subs").split(",").map(Number);
// The servers: execstream's fast path, its JAX-RS path, the peer. --quick (CI, every build) runs
// the fast path and the peer unless --servers names the JAX-RS path too (bench/README.md).
// execstream runs with the memory publisher (the figures' reference, as before), execstream-disk with
// the disk publisher, serve's default: the same fast path, with every event written to a file first.
// The peers serve the same endpoints and event format without execstream: better-sse (Node.js),
// Spring WebFlux and plain JAX-RS SSE on Jersey (bench/peers/). The JVM peers are not in
// --quick's default (CI time).
const PEERS = ["better-sse", "webflux", "jersey-broadcaster"];
const ALL_KINDS = ["execstream", "execstream-disk", "execstream-jaxrs", ...PEERS];
const KINDS = opt("--servers", QUICK ? "execstream,execstream-disk,better-sse" : ALL_KINDS.join(",")).split(",");
for (const k of KINDS) if (!ALL_KINDS.includes(k)) { process.stderr.write(`bench: unknown server ${k} in --servers (known: ${ALL_KINDS.join(", ")})\n`); process.exit(2); }
// --quick's time limit is for its three default servers: more servers take turns in every scenario.
if (QUICK) P.deadlineS = Math.max(P.deadlineS, 90 * KINDS.length);
// On cores busy with other work everything takes longer: EXECSTREAM_BENCH_DEADLINE_S=SECONDS sets the limit.
if (process.env.EXECSTREAM_BENCH_DEADLINE_S) P.deadlineS = Number(process.env.EXECSTREAM_BENCH_DEADLINE_S);
/** The JVM servers (execstream's and the JVM peers): the same heap, flags and class-data handling. */
const isJava = (kind) => kind !== "better-sse";
const isPeer = (kind) => PEERS.includes(kind);
const want = (s) => !ONLY || ONLY.includes(s);
const wantFanout10k = () => ONLY ? ONLY.includes("fanout10k") : !QUICK;
// --pin-cores: each server, and the commands it runs, on the first core; the clients on the others
// (taskset). On a machine of two cores the clients and the server otherwise take each other's CPU
// time, and a server that does less per line leaves more of it to a saturated client: pinned, each
// side has a core of its own, and the figures measure the server's own work. A JVM sees one core
// then, and its ergonomics pick accordingly (the serial collector, fewer compiler threads), as in
// a container given one CPU.
const PIN = flag("--pin-cores") ? { server: "0", clients: `1-${os.cpus().length - 1}` } : null;
if (PIN && (os.cpus().length < 2 || spawnSync("taskset", ["-c", "0", "true"]).status !== 0)) {
  process.stderr.write("bench: --pin-cores needs two cores or more and taskset (util-linux)\n"); process.exit(2);
}
/** [cmd, args] run on the server's core (--pin-cores), or as given. */
const onServerCore = (cmd, args) => PIN ? ["taskset", ["-c", PIN.server, cmd, ...args]] : [cmd, args];
/** [cmd, args] run on the clients' cores (--pin-cores), or as given. */
const onClientCores = (cmd, args) => PIN ? ["taskset", ["-c", PIN.clients, cmd, ...args]] : [cmd, args];
const T0 = Date.now();
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "execstream-bench-"));
// A private copy: other builds may rewrite the jar while the suite runs.
const JAR = path.join(WORK, "execstream-server.jar");
const JAR_INFO = privateCopy(JAR_GIVEN, JAR);
const JAXRS_JAR_GIVEN = path.resolve(opt("--jaxrs-jar", process.env.EXECSTREAM_JAXRS_JAR || path.join(ROOT, "bench/jaxrs-server/target/execstream-jaxrs-server.jar")));
const JAXRS_JAR = path.join(WORK, "execstream-jaxrs-server.jar");
const JAXRS_JAR_INFO = KINDS.includes("execstream-jaxrs") ? privateCopy(JAXRS_JAR_GIVEN, JAXRS_JAR) : "";
// The JVM peers' jars (bench/run.sh builds them when the run includes them), copied like the others.
const PEER_JARS = {
  webflux: { given: path.resolve(opt("--webflux-jar", path.join(ROOT, "bench/peers/webflux/target/execstream-peer-webflux.jar"))), copy: path.join(WORK, "execstream-peer-webflux.jar") },
  "jersey-broadcaster": { given: path.resolve(opt("--jersey-broadcaster-jar", path.join(ROOT, "bench/peers/jersey-broadcaster/target/execstream-peer-jersey-broadcaster.jar"))),
    copy: path.join(WORK, "execstream-peer-jersey-broadcaster.jar") } };
for (const [kind, j] of Object.entries(PEER_JARS)) j.info = KINDS.includes(kind) ? privateCopy(j.given, j.copy) : "";
// The Spring Boot jar runs as Spring Boot's documentation says to run it with a class-data archive:
// extracted (java -Djarmode=tools -jar app.jar extract) into the application's jar and lib/, as
// the archive cannot hold classes read from a jar nested in another.
const WEBFLUX_DIR = path.join(WORK, "webflux");
if (PEER_JARS.webflux.info) execFileSync("java", ["-Djarmode=tools", "-jar", PEER_JARS.webflux.copy, "extract", "--destination", WEBFLUX_DIR], { stdio: "ignore", timeout: 120000 });
function privateCopy(given, copy) {
  if (!fs.existsSync(given)) return "";
  fs.copyFileSync(given, copy);
  const shown = path.relative(ROOT, given).startsWith("..") ? given : path.relative(ROOT, given);
  return `${shown} (built ${fs.statSync(given).mtime.toISOString().replace(/\.\d+Z$/, "Z")}, ` +
    `sha256 ${require("node:crypto").createHash("sha256").update(fs.readFileSync(copy)).digest("hex").slice(0, 12)})`;
}
fs.writeFileSync(path.join(WORK, "keys"), KEY + "\n");
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
const problems = []; // broken scenarios: a subscriber missing lines, a server that did not start, ...
const children = new Set();

function log(...a) { process.stderr.write(`[bench ${((Date.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${a.join(" ")}\n`); }
function checkDeadline() { if (Date.now() - T0 > P.deadlineS * 1000) throw new Error(`over the suite's time limit (${P.deadlineS} s)`); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => { const v = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return null; const m = v.length >> 1; return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2; };
const nowMs = () => performance.timeOrigin + performance.now();

function killChild(c, sig = "SIGTERM") { try { if (c.exitCode === null && c.signalCode === null) c.kill(sig); } catch { } }
function cleanup() { for (const c of children) killChild(c, "SIGKILL"); }
process.on("exit", cleanup);
process.on("SIGINT", () => { cleanup(); process.exit(130); });
process.on("SIGTERM", () => { cleanup(); process.exit(143); });

// ------------------------------------------------------------------------------------- /proc
function procStat(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k) => { const m = new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status); return m ? Number(m[1]) : null; };
    return { cpuTicks: Number(f[11]) + Number(f[12]), threads: kb("Threads"), rssKB: kb("VmRSS"), hwmKB: kb("VmHWM") };
  } catch { return null; }
}
/** The machine's CPU time so far, in ticks: all of it, and what the hypervisor gave other guests ("steal"). */
function cpuTimes() {
  try {
    const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: f.reduce((a, b) => a + b, 0), steal: f[7] || 0 };
  } catch { return null; }
}
function fdCount(pid) { try { return fs.readdirSync(`/proc/${pid}/fd`).length; } catch { return null; } }

// ------------------------------------------------------------------------------------- HTTP
const request = (port, method, p, body, timeoutMs) => keyedRequest(KEY, port, method, p, body, timeoutMs);
// POST a command, open its stream, resolve at the first output event: ms from the POST (bench/lib/http.js).
const postToFirstEvent = (port, command, timeoutMs) => firstEvent(KEY, port, command, timeoutMs);

// ------------------------------------------------------------------------------------- servers
const COMMANDS = {}; // kind -> command line, for the report
// Each stream keeps all its output (a subscriber may resume anywhere, as on the peer); across
// streams both forget finished ones past execstream's default budget, so that every throughput
// run starts from the same memory instead of carrying the earlier runs' output.
const HISTORY_BUDGET = "512MB";
// The heap ./execstream gives the server for these flags (its dry run prints the java command),
// so that the suite measures the server as users start it.
const HEAP = process.env.EXECSTREAM_BENCH_NO_HEAP ? [] : launcherHeap(["--publisher", "memory", "--history-budget", HISTORY_BUDGET]);
// The disk publisher's history is in files: the launcher gives it the server's own heap, whatever the budget.
const DISK_HEAP = process.env.EXECSTREAM_BENCH_NO_HEAP ? [] : launcherHeap(["--publisher", "disk", "--history-budget", HISTORY_BUDGET]);
let dataDirs = 0; // each disk server gets a directory of its own: a fresh start, and no lock held by the last one
function launcherHeap(flags) {
  const out = execFileSync("bash", [path.join(ROOT, "execstream"), "serve", ...flags],
    { env: { ...process.env, EXECSTREAM_JAR: JAR, EXECSTREAM_DRY_RUN: "1" }, encoding: "utf8", timeout: 30000 });
  return out.split("\n").filter((word) => word.startsWith("-Xmx"));
}
function serverArgs(kind, port, keepalive) {
  const ws = path.join(WORK, "ws-" + kind), keys = path.join(WORK, "keys");
  // --max-running: many-streams runs 500 commands at once (the default is 64; the peer has no limit).
  const flags = ["--port", String(port), "--api-keys-file", keys, "--workspace-root", ws, "--keepalive", keepalive, "--max-history", HISTORY_BUDGET, "--history-budget", HISTORY_BUDGET,
    "--max-running", "1000"];
  if (kind === "execstream") return ["java", [...JAVA_OPTS, ...cdsFlags(kind), ...HEAP, "-jar", JAR, "serve", "--publisher", "memory", ...flags]];
  if (kind === "execstream-disk") return ["java", [...JAVA_OPTS, ...cdsFlags(kind), ...DISK_HEAP, "-jar", JAR, "serve", "--publisher", "disk",
    "--data-dir", path.join(WORK, `data-${++dataDirs}`), ...flags]];
  // The same service, flags and JVM options, served through ExecStreamFeature on Jersey's Grizzly container.
  if (kind === "execstream-jaxrs") return ["java", [...JAVA_OPTS, ...cdsFlags(kind), ...HEAP, "-jar", JAXRS_JAR, "--publisher", "memory", ...flags]];
  // The JVM peers: the same heap and class-data handling as execstream's servers; the better-sse peer's flags.
  if (kind === "webflux") return ["java", [...JAVA_OPTS, ...cdsFlags(kind), ...HEAP, "-jar", path.join(WEBFLUX_DIR, path.basename(PEER_JARS.webflux.copy)),
    `--server.port=${port}`, `--peer.api-keys-file=${keys}`, `--peer.workspace-root=${ws}`, `--peer.keepalive=${keepalive}`, `--peer.history-budget=${HISTORY_BUDGET}`]];
  if (kind === "jersey-broadcaster") return ["java", [...JAVA_OPTS, ...cdsFlags(kind), ...HEAP, "-jar", PEER_JARS[kind].copy,
    "--port", String(port), "--api-keys-file", keys, "--workspace-root", ws, "--keepalive", keepalive, "--history-budget", HISTORY_BUDGET]];
  return [process.execPath, ["--expose-gc", PEER, "--port", String(port), "--api-keys-file", keys, "--workspace-root", ws, "--keepalive", keepalive,
    "--history-budget", HISTORY_BUDGET]];
}
// The server runs with an AppCDS archive of its classes, as ./execstream and the Docker image run it:
// one training run (start, a command, stop) writes it, every measured start maps it. The JAX-RS
// server gets one of its own, made the same way, as an application could.
const CDS = Object.fromEntries(ALL_KINDS.filter(isJava).map((k) => [k, { file: path.join(WORK, `${k}.jsa`),
  state: process.env.EXECSTREAM_BENCH_NO_CDS ? "off" : "none" }])); // none -> training -> ready | off
const cdsReady = (kind) => CDS[kind] && CDS[kind].state === "ready";
function cdsFlags(kind) {
  const c = CDS[kind];
  if (c.state === "training") return [`-XX:ArchiveClassesAtExit=${c.file}`];
  return c.state === "ready" ? [`-XX:SharedArchiveFile=${c.file}`] : [];
}
async function trainCds(kind) {
  const c = CDS[kind];
  if (c.state !== "none") return;
  c.state = "training";
  const s = await startServer(kind);
  try { await postToFirstEvent(s.port, "echo hi"); } finally { await stopServer(s, "cds-training"); }
  c.state = fs.existsSync(c.file) ? "ready" : "off";
  log(`class-data archive for ${kind}: ${c.state === "ready" ? `${(fs.statSync(c.file).size / 1e6).toFixed(0)} MB` : "not written, running without"}`);
}
async function startServer(kind, { keepalive = "15s" } = {}) {
  if (isJava(kind) && CDS[kind].state === "none") await trainCds(kind);
  checkDeadline();
  const port = await freePort();
  const [cmd, args] = serverArgs(kind, port, keepalive);
  COMMANDS[kind] = [cmd === process.execPath ? "node" : cmd, ...args].map((a) => a.replace(WORK, "$WORK").replace(ROOT + "/", "")).join(" ")
    .replace(/--port \d+/, "--port $PORT").replace(/--keepalive \S+/, "--keepalive $KEEPALIVE")
    .replace(/--server\.port=\d+/, "--server.port=$PORT").replace(/--peer\.keepalive=\S+/, "--peer.keepalive=$KEEPALIVE");
  const t0 = nowMs();
  // taskset execs the server: the pid is the server's
  const proc = spawn(...onServerCore(cmd, args), { cwd: WORK, stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  let out = "";
  proc.stdout.on("data", (c) => { if (out.length < 2000000) out += c; });
  proc.stderr.on("data", (c) => { if (out.length < 2000000) out += c; });
  proc.on("exit", () => children.delete(proc));
  // Start-up: process start to the first successful GET /healthz (polled every 5 ms, 30 s at most).
  let healthMs = null;
  for (let i = 0; i < 6000 && proc.exitCode === null; i++) {
    try { const r = await request(port, "GET", "/healthz", undefined, 1000); if (r.status === 200) { healthMs = nowMs() - t0; break; } } catch { }
    await sleep(5);
  }
  if (healthMs === null) { killChild(proc, "SIGKILL"); throw new Error(`${kind} did not answer /healthz within 30 s: ${out.slice(0, 2000)}`); }
  const dataDir = args[args.indexOf("--data-dir") + 1]; // the disk server's history, removed when it stops
  const s = { kind, proc, pid: proc.pid, port, healthMs, log: () => out, dataDir: args.includes("--data-dir") ? dataDir : null };
  if (isJava(kind)) jcmd(s.pid, "GC.heap_info"); // attach once now, so the Attach Listener thread is in every baseline
  return s;
}
const LOGS = []; // {kind, scenario, file, warnings, samples}
async function stopServer(s, scenario) {
  if (!s) return;
  killChild(s.proc, "SIGTERM");
  // 10 s, or 60 s for a training run: the JVM writes its class-data archive as it exits, and a
  // Spring Boot application's takes a while on busy cores.
  for (let i = 0; i < (scenario === "cds-training" ? 1200 : 200) && s.proc.exitCode === null && s.proc.signalCode === null; i++) await sleep(50);
  killChild(s.proc, "SIGKILL");
  const text = s.log();
  const file = path.join(WORK, `server-${s.kind}-${scenario}-${LOGS.length}.log`);
  fs.writeFileSync(file, text);
  const bad = text.split("\n").filter((l) => /\b(WARN|WARNING|ERROR|SEVERE)\b|Exception|OutOfMemory/.test(l));
  LOGS.push({ kind: s.kind, scenario, file, warnings: bad.length, samples: bad.slice(0, 3) });
  if (s.dataDir) fs.rmSync(s.dataDir, { recursive: true, force: true });
}
function jcmd(pid, what) {
  const r = spawnSync("jcmd", [String(pid), what], { timeout: 30000, encoding: "utf8" });
  return r.stdout || "";
}
// Heap in use, in MB: the JVM's from `jcmd PID GC.heap_info`, node's from process.memoryUsage().heapUsed.
// gc: a full collection first (so the figure is the live heap).
async function heapMB(s, gc) {
  if (isJava(s.kind)) {
    if (gc) jcmd(s.pid, "GC.run");
    const m = /used (\d+)K/.exec(jcmd(s.pid, "GC.heap_info"));
    return m ? Number(m[1]) / 1024 : null;
  }
  const r = await request(s.port, "GET", "/debug/memory" + (gc ? "?gc=1" : ""));
  return JSON.parse(r.body).heapUsed / 1048576;
}

// ------------------------------------------------------------------------------------- clients
// Runs the load generator in its own process; onPhase(line) at {"phase":...}; resolves with its result.
const loadgen = (args, opts) => runClient(process.execPath, [LOADGEN], args, opts);
// The second client (bench/loadgen/java/SseBench.java: non-blocking sockets and two selector threads
// for many subscribers, a plain socket for one), compiled once into the work dir; the same arguments
// and result fields as loadgen. Its many subscribers were on the JDK's HttpClient until 2026-12-07:
// about 4.5 µs of CPU per event, 218k events/s on both cores alone, below the 250k and 500k events/s
// of fan-out at 5,000 and 10,000, so those figures were the client's. EXECSTREAM_BENCH_JAVA_IO=httpclient
// runs it so again.
const SSE_BENCH_CLASSES = path.join(WORK, "sse-bench");
const JAVA_IO = process.env.EXECSTREAM_BENCH_JAVA_IO || "nio";
function javaClient(args, opts) {
  if (!fs.existsSync(path.join(SSE_BENCH_CLASSES, "SseBench.class")))
    execFileSync("javac", ["-d", SSE_BENCH_CLASSES, SSE_BENCH_SRC], { cwd: WORK, stdio: ["ignore", "ignore", "inherit"], timeout: 120000 });
  // a heap for 10,000 subscribers' buffers and latencies; the serial collector, to take one core at most
  return runClient("java", ["-Xmx1g", "-XX:+UseSerialGC", "-cp", SSE_BENCH_CLASSES, "SseBench"], [...args, "--io", JAVA_IO], opts);
}
function runClient(cmd, pre, args, { timeoutS = 300, onPhase, stdinHold = false } = {}) {
  checkDeadline();
  return new Promise((resolve) => {
    const lg = spawn(...onClientCores(cmd, [...pre, "--timeout-s", String(timeoutS), ...args]), { cwd: WORK, stdio: ["pipe", "pipe", "pipe"] });
    children.add(lg);
    let out = "", err = "", result = null;
    const timer = setTimeout(() => killChild(lg, "SIGKILL"), (timeoutS + 30) * 1000);
    lg.stdout.setEncoding("utf8");
    lg.stdout.on("data", (c) => {
      out += c;
      let nl;
      while ((nl = out.indexOf("\n")) >= 0) {
        const line = out.slice(0, nl); out = out.slice(nl + 1);
        let o; try { o = JSON.parse(line); } catch { continue; }
        if (o.phase) { if (onPhase) onPhase(o, lg); } else result = o;
      }
    });
    lg.stderr.on("data", (c) => { if (err.length < 5000) err += c; });
    if (!stdinHold) lg.stdin.end();
    lg.on("exit", (code) => {
      clearTimeout(timer); children.delete(lg);
      resolve(result || { ok: false, fatal: `${path.basename(pre[pre.length - 1] || cmd)} exited ${code} without a result: ${err.slice(0, 1000)}` });
    });
    lg.pid && (lg.lgPid = lg.pid);
  });
}
const base = (s) => `http://127.0.0.1:${s.port}`;
function describeFailure(r) {
  return r.fatal || `ok200 ${r.ok200}/${r.subs}, done ${r.done}, lines ${r.lines}, gaps ${r.gaps}, out-of-order ${r.badSeq}, ` +
    `dropped ${r.dropped}${r.timedOut ? ", timed out" : ""}${r.connectTimedOut ? ", connect timed out" : ""}; ${(r.errorSamples || []).join("; ")}`;
}

// EXECSTREAM_BENCH_WINDOWS=FILE: each lines run's measured window (from the client's go to its end) and its
// server's pid, one JSON line per run, in CLOCK_MONOTONIC seconds (libuv's hrtime), the clock of
// `perf record -k mono`: bench/many-streams-perf.sh lines a system-wide recording up with the runs by it.
const WINDOWS_FILE = process.env.EXECSTREAM_BENCH_WINDOWS || null;
function recordWindow(s, label, client, from, to) {
  fs.appendFileSync(WINDOWS_FILE, JSON.stringify({ label, client, server: s.kind, pid: s.pid, from: Number(from) / 1e9, to: Number(to) / 1e9 }) + "\n");
}

// A lines run (fan-out, many streams, low-load latency): N subscribers, one line per intervalMs.
// client: "node" (bench/loadgen/loadgen.js) or "java" (SseBench, the independent cross-check).
// streams > 1: that many commands, subscriber i on stream i mod streams, command i `cat` of named
// pipe i, which one fifo-gen.js writes (a generator per command, hundreds of them, measured the
// generators: 500 bash loops took both cores by themselves); else one gen.js.
async function linesRun(s, subs, lines, intervalMs, label, { client = "node", streams = 1 } = {}) {
  const go = path.join(WORK, `go-${process.hrtime.bigint()}`);
  const fifoDir = `${go}-pipes`;
  let st0 = null, t0 = 0, peakRss = 0, peakThreads = 0;
  const sampler = setInterval(() => { const p = procStat(s.pid); if (p) { peakRss = Math.max(peakRss, p.rssKB); peakThreads = Math.max(peakThreads, p.threads); } }, 250);
  let gen = null;
  if (streams > 1) {
    // the generator waits for the go file as long as the client may take to POST and connect
    // on the server's core: it stands for the commands' own output, as gen.js does run by the server
    const proc = spawn(...onServerCore(process.execPath, [FIFO_GEN, "--dir", fifoDir, "--streams", String(streams), "--interval-ms", String(intervalMs),
      "--count", String(lines), "--go-file", go, "--max-wait-s", String(120 + Math.ceil(streams / 5))]), { cwd: WORK, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (d) => { out += d; });
    gen = { proc, result: new Promise((res) => proc.on("close", (code) => { try { res(JSON.parse(out.trim().split("\n").pop())); } catch { res({ ok: false, code }); } })) };
    for (let i = 0; i < 500 && !fs.existsSync(path.join(fifoDir, `s-${streams - 1}`)); i++) await new Promise((res) => setTimeout(res, 10));
    // Without its pipes every `cat` would fail, and the run would only say that lines were missing.
    if (!fs.existsSync(path.join(fifoDir, `s-${streams - 1}`))) problems.push(`${label} on ${s.kind}: fifo-gen.js made no pipes in 5 s (see its stderr above)`);
  }
  const command = streams > 1 ? `cat ${fifoDir}/s-{i}`
    : `${process.execPath} ${GEN} --interval-ms ${intervalMs} --count ${lines} --go-file ${go} --max-wait-s 120`;
  const args = ["--base", base(s), "--key", KEY, "--mode", "lines", "--subs", String(subs), "--command", command, "--go-file", go,
    "--expect-lines", String(lines), ...(streams > 1 ? ["--streams", String(streams)] : [])];
  // + streams / 5 s: the POSTs of many commands, and their subscribers' connects, come first
  let mono0 = 0n;
  const opts = { timeoutS: 120 + Math.ceil(lines * intervalMs / 1000) * 3 + Math.ceil(streams / 5), onPhase: () => { st0 = procStat(s.pid); t0 = nowMs(); mono0 = process.hrtime.bigint(); } };
  const r = client === "java" ? await javaClient(args, opts) : await loadgen([...args, "--workers", subs >= 1000 ? "2" : "1"], opts);
  clearInterval(sampler);
  const st1 = procStat(s.pid), t1 = nowMs();
  if (WINDOWS_FILE && st0) recordWindow(s, label, client, mono0, process.hrtime.bigint());
  if (gen) {
    gen.proc.kill(); // done already unless the run failed before the go
    const g = await gen.result;
    r.genBehindP99Ms = g.behindP99Ms;
    r.genBehindMaxMs = g.maxBehindMs;
    if (g.waitedForRoom) log(`${label}: a pipe was full (a command not reading): those lines were written late`);
    try { fs.rmSync(fifoDir, { recursive: true, force: true }); } catch { }
  }
  try { fs.unlinkSync(go); } catch { }
  r.lgUsPerLine = r.lines ? 1000 * r.cpuMs / r.lines : null;
  if (st0 && st1) { r.serverCpuPct = 100 * (st1.cpuTicks - st0.cpuTicks) / CLK_TCK / ((t1 - t0) / 1000); r.serverRssMB = Math.max(peakRss, st1.rssKB) / 1024; r.serverThreads = st1.threads;
    r.serverPeakThreads = Math.max(peakThreads, st1.threads); }
  if (!r.ok) problems.push(`${label}${client === "java" ? " (Java client)" : ""} on ${s.kind}: ${describeFailure(r)}`);
  log(`${label}${client === "java" ? " (Java client)" : ""} ${s.kind}: ${r.ok ? "ok" : "BROKEN"} p50 ${fmt(r.latP50, 2)} ms p99 ${fmt(r.latP99, 2)} ms, server cpu ${fmt(r.serverCpuPct, 0)}%, ${client === "java" ? "Java client" : "loadgen"} cpu ${fmt(r.cpuPct, 0)}%` +
    (gen ? `, generator behind its deadlines p99 ${fmt(r.genBehindP99Ms, 1)} ms, max ${fmt(r.genBehindMaxMs, 1)} ms` : ""));
  return r;
}

const fmt = (x, d = 1) => x === null || x === undefined || Number.isNaN(x) ? "–" : Number(x).toFixed(d);

// ------------------------------------------------------------------------------------- scenarios
const R = { startup: {}, throughput: {}, fanout: {}, manyStreams: {}, idle: {}, latency: {}, loadgen: {} };
/** [step, % of the machine's CPU time stolen by the hypervisor during it]: why one run differs from the next. */
const STEAL = [];

async function scenarioStartup() {
  const r = Object.fromEntries(KINDS.map((k) => [k, { health: [], cold: [], warm: [] }]));
  for (let i = 0; i < P.startups; i++) for (const kind of inTurn(KINDS, i)) {
    let s = null;
    try {
      s = await startServer(kind);
      r[kind].health.push(s.healthMs);
      r[kind].cold.push(await postToFirstEvent(s.port, "echo hi"));
      if (i === 0) for (let k = 0; k < P.warmPosts; k++) r[kind].warm.push(await postToFirstEvent(s.port, "echo hi"));
    } catch (e) { problems.push(`startup on ${kind}: ${e.message}`); }
    finally { await stopServer(s, "startup"); }
  }
  for (const kind of KINDS) {
    const { health, cold, warm } = r[kind];
    R.startup[kind] = { healthMs: median(health), coldFirstEventMs: median(cold), warmFirstEventMs: median(warm), n: health.length, healthAll: health };
    log(`startup ${kind}: healthz ${fmt(R.startup[kind].healthMs, 0)} ms, first event (cold) ${fmt(R.startup[kind].coldFirstEventMs, 0)} ms, warm ${fmt(R.startup[kind].warmFirstEventMs, 1)} ms`);
  }
}

// Side by side: one server of each kind, all started and warmed up first (prepare), then their
// measured runs alternate, one of each in turn (inTurn), each once every server is quiet: the
// machine is shared, and a busy spell then falls on all servers' figures instead of on one's.
// A server that does not start or warm up is left out, with the problem noted.
async function sideBySide(scenario, prepare, measure, startOpts = {}, rounds = RUNS) {
  const live = [], label = scenario.replace(/ /g, "-"); // the label names the server logs
  try {
    for (const kind of KINDS) {
      let s = null;
      try { s = await startServer(kind, startOpts); await prepare(s); live.push(s); }
      catch (e) { problems.push(`${scenario} on ${kind}: ${e.message}`); log(`${scenario} on ${kind}: ${e.message}`); await stopServer(s, label); }
    }
    for (let i = 0; i < rounds; i++) for (const s of inTurn(live, i)) { await quiet(live); await measure(s, i); }
  } finally { for (const s of live) await stopServer(s, label); }
}
// Round i's order: the list rotated by i, so that over as many rounds as servers each one takes
// each place once (with two servers: the pair's order flips every round).
function inTurn(list, i) { const k = list.length ? i % list.length : 0; return [...list.slice(k), ...list.slice(0, k)]; }
// Waits (5 s at most) until no server uses more than 5 % of a core: the JIT compiling, or a
// collector finishing, after the other server's run would otherwise count against this one.
async function quiet(servers) {
  for (let i = 0; i < 20; i++) {
    const a = servers.map((s) => procStat(s.pid)); await sleep(250); const b = servers.map((s) => procStat(s.pid));
    if (a.every((x, j) => !x || !b[j] || (b[j].cpuTicks - x.cpuTicks) / CLK_TCK < 0.25 * 0.05)) return;
  }
  log("servers still busy after 5 s; measuring anyway");
}

// The throughput generators. "fast" is the figure's reference: yes-style 101-byte lines, which run
// at 560-730 MB/s into a pipe here, so that neither the generator nor the pipe is what limits a
// server. "lines" is the earlier head|tr|fold generator (100-byte lines, 190-240 MB/s into a pipe),
// kept as the line-oriented figure: a command that computes its output at a more ordinary pace.
const GENS = {
  fast: { cmd: (mb) => `yes $(printf %0100d 0) | head -c ${mb * 1000000}`, bytes: (mb) => mb * 1000000 },
  lines: { cmd: (mb) => `head -c ${mb * 1000000} /dev/zero | tr '\\0' a | fold -w 99`, bytes: (mb) => { const n = mb * 1000000; return n + Math.floor(n / 99) - (n % 99 === 0 ? 1 : 0); } },
};
// The same generator into `cat > /dev/null`: what a pipe moves with nothing else in the way.
function pipeRun(gen, mb) {
  const t0 = nowMs();
  const r = spawnSync("sh", ["-c", `${GENS[gen].cmd(mb)} | cat > /dev/null`], { timeout: 300000 });
  if (r.status !== 0) problems.push(`throughput: the raw pipe (${gen} generator) failed`);
  return GENS[gen].bytes(mb) / 1e6 / ((nowMs() - t0) / 1000);
}
// One command's output through the server to the Java client's plain-socket reader, which checks
// every byte's count and the done event at a fraction of a core (see bench/README.md).
async function readerRun(s, gen, mb, timeoutS) {
  const bytes = GENS[gen].bytes(mb);
  const r = await javaClient(["--base", base(s), "--key", KEY, "--mode", "bytes", "--command", GENS[gen].cmd(mb), "--expect-bytes", String(bytes)], { timeoutS });
  r.mbps = r.ok ? r.bytes / 1e6 / (r.postToDoneMs / 1000) : null;
  if (!r.ok) problems.push(`throughput (${gen} generator) on ${s.kind}: ${describeFailure(r)} (bytes ${r.bytes} of ${bytes})`);
  return r;
}
// The same through curl (-N, to /dev/null): the figure's client, the lightest one at hand (0.6-0.8 ms
// of CPU per MB here, against 1.6-2.1 for the Java reader: on two cores shared with the server and
// the generator, what the client takes the server does not get).
// It checks only that the response ended well (exit 0 after the server closed it, following the
// done event) and its size; the Java reader, in the same rounds, checks every byte. MB/s of content
// from the POST to curl's exit; its CPU from bash's `times` (children's user+sys).
async function curlRun(s, gen, mb) {
  const bytes = GENS[gen].bytes(mb), t0 = nowMs();
  const post = await request(s.port, "POST", "/projects/bench/commands", { command: GENS[gen].cmd(mb) });
  if (post.status !== 202) { problems.push(`throughput (curl) on ${s.kind}: POST ${post.status}`); return { ok: false }; }
  const r = spawnSync(...onClientCores("bash", ["-c", `curl -sS -N --no-buffer --max-time 600 -H "X-API-Key: $2" -o /dev/null -w '%{size_download} %{http_code}\\n' "$1"; echo "exit $?"; times`,
    "curl-run", base(s) + JSON.parse(post.body).stream_url, KEY]), { encoding: "utf8", timeout: 620000 });
  const ms = nowMs() - t0;
  const [size, code] = (r.stdout.split("\n")[0] || "").split(" ").map(Number);
  const exit = Number((/exit (\d+)/.exec(r.stdout) || [])[1]);
  const cpuMs = childrenCpuMs(r.stdout);
  const ok = exit === 0 && code === 200 && size > bytes;
  if (!ok) problems.push(`throughput (curl) on ${s.kind}: exit ${exit}, HTTP ${code}, ${size} bytes for ${bytes} of content`);
  return { ok, mbps: ok ? bytes / 1e6 / (ms / 1000) : null, cpuPct: cpuMs === null ? null : 100 * cpuMs / ms, wireBytes: size };
}

async function scenarioThroughput() {
  const runs = Object.fromEntries(KINDS.map((k) => [k, []]));
  // Unmeasured runs of the full size first, on each server: both compile their hot paths as
  // they go (HotSpot's C2, V8's TurboFan). HotSpot compiles some of them again after the end
  // of each of the first streams has undone a guess (JFR: 0.5-1.9 s of C2 time in each of the
  // first two runs after one warm-up, under 0.2 s from the fourth run on).
  const warmMB = QUICK ? 2 : P.throughputMB;
  const prepare = async (s) => { for (let i = 0; i < P.throughputWarmRuns; i++) await readerRun(s, "fast", warmMB, 120); };
  await sideBySide("throughput", prepare, async (s, i) => {
    const kind = s.kind, bytes = GENS.fast.bytes(P.throughputMB);
    const pipeMbps = pipeRun("fast", P.throughputMB);
    const st0 = procStat(s.pid), t0 = nowMs();
    const r = await curlRun(s, "fast", P.throughputMB);
    const st1 = procStat(s.pid), t1 = nowMs();
    r.pipeMbps = pipeMbps;
    r.serverCpuPct = 100 * (st1.cpuTicks - st0.cpuTicks) / CLK_TCK / ((t1 - t0) / 1000);
    // The cost of the work, whatever the speed: a server that moves more per second uses more
    // of a core while it runs, so its CPU share alone would count its speed against it.
    r.serverCpuMsPerMB = 1000 * (st1.cpuTicks - st0.cpuTicks) / CLK_TCK / (bytes / 1e6);
    r.serverRssMB = st1.hwmKB / 1024;
    if (i < P.crossRuns) {
      r.reader = await readerRun(s, "fast", P.throughputMB, 600);
      r.linePipeMbps = pipeRun("lines", P.throughputMB);
      r.line = await readerRun(s, "lines", P.throughputMB, 600);
    }
    log(`throughput ${kind} run ${i + 1}: curl ${fmt(r.mbps, 0)} MB/s (pipe ${fmt(r.pipeMbps, 0)} MB/s), curl cpu ${fmt(r.cpuPct, 0)}%` +
      (r.reader ? `; Java reader ${fmt(r.reader.mbps, 0)} MB/s, ${r.reader.events} events, its cpu ${fmt(r.reader.cpuPct, 0)}%; line-oriented ${fmt(r.line.mbps, 0)} MB/s (pipe ${fmt(r.linePipeMbps, 0)} MB/s)` : ""));
    runs[kind].push(r);
  });
  for (const kind of KINDS) {
    const rs = runs[kind], cross = rs.filter((r) => r.reader);
    if (!rs.length) continue;
    R.throughput[kind] = { mbps: median(rs.map((r) => r.mbps)), pipeMbps: median(rs.map((r) => r.pipeMbps)),
      events: median(cross.map((r) => r.reader.events)), serverCpuPct: median(rs.map((r) => r.serverCpuPct)),
      serverCpuMsPerMB: median(rs.map((r) => r.serverCpuMsPerMB)),
      clientCpuPct: median(rs.map((r) => r.cpuPct)), rssMB: Math.max(...rs.map((r) => r.serverRssMB)), ok: rs.every((r) => r.ok), n: rs.length,
      readerMbps: median(cross.map((r) => r.reader.mbps)), readerCpuPct: median(cross.map((r) => r.reader.cpuPct)), readerOk: cross.every((r) => r.reader.ok),
      lineMbps: median(cross.map((r) => r.line.mbps)), linePipeMbps: median(cross.map((r) => r.linePipeMbps)), lineOk: cross.every((r) => r.line.ok), crossN: cross.length };
  }
}

// The fan-out sizes with results: --fanout-subs's, and fanout10k's when it ran.
function fanoutSizes() { return [...new Set([...P.fanoutSubs, P.fanout10k.subs])].filter((n) => KINDS.some((k) => R.fanout[`${k}/${n}`])); }
// warmRuns, lines: fanout10k's own (fewer warm-up runs: at 10,000 subscribers one takes a minute).
async function scenarioFanout(subs, { warmRuns = P.fanoutWarmRuns, lines = P.fanoutLines } = {}) {
  const runs = Object.fromEntries(KINDS.map((k) => [k, []])), cross = Object.fromEntries(KINDS.map((k) => [k, []])), warm = {};
  // Warm-up (not counted; the first run's figures are reported): runs like the measured ones, so
  // that the measured runs see the server in its steady state. After a 2-second warm-up, C2 still
  // took 1.3-1.6 s of CPU in each of the first two measured runs at 100 subscribers, more than the
  // delivery threads did. After one full-length warm-up run at 5,000 subscribers, the next three
  // runs took 106-110 % of a core and the three after them 93-98 %, once C2 and G1's refinement
  // threads had next to nothing left to do; the peer's figures did not move from run to run.
  await sideBySide(`fan-out ${subs}`, async (s) => {
    for (let w = 0; w < warmRuns; w++) {
      const r = await linesRun(s, subs, lines, 20, `fan-out ${subs} warm-up ${w + 1}`);
      if (w === 0) warm[s.kind] = r;
    }
  }, async (s, i) => {
    const r = await linesRun(s, subs, lines, 20, `fan-out ${subs} run ${i + 1}`);
    r.heapMB = await heapMB(s, false);
    runs[s.kind].push(r);
    // the second client, on the same server right after: a lead that one client alone shows is no lead
    if (i < P.fanoutCrossRuns) { await quiet([s]); cross[s.kind].push(await linesRun(s, subs, lines, 20, `fan-out ${subs} run ${i + 1}`, { client: "java" })); }
  });
  for (const kind of KINDS) if (runs[kind].length)
    R.fanout[`${kind}/${subs}`] = { ...summariseLines(runs[kind]), warmP50: warm[kind] ? warm[kind].latP50 : null, warmP99: warm[kind] ? warm[kind].latP99 : null,
      warmOk: warm[kind] ? warm[kind].ok : null, lines, java: cross[kind].length ? summariseLines(cross[kind]) : null };
}

// Many streams at once: P.manyStreams.streams commands, each writing a line every intervalMs
// (fifo-gen.js through a named pipe each), each followed by subs/streams subscribers. Latency, server CPU, RSS and threads
// (the most seen while it runs: 2 per running command are expected today), every line delivered;
// both clients, as in fan-out.
async function scenarioManyStreams() {
  const m = P.manyStreams, label = `many-streams ${m.streams}x${m.subs / m.streams}`;
  const runs = Object.fromEntries(KINDS.map((k) => [k, []])), cross = Object.fromEntries(KINDS.map((k) => [k, []]));
  const run = (s, what, client) => linesRun(s, m.subs, m.lines, m.intervalMs, `${label} ${what}`, { client, streams: m.streams });
  await sideBySide("many-streams", async (s) => { for (let w = 0; w < m.warmRuns; w++) await run(s, `warm-up ${w + 1}`, "node"); }, async (s, i) => {
    const r = await run(s, `run ${i + 1}`, "node");
    r.heapMB = await heapMB(s, false);
    runs[s.kind].push(r);
    if (i < m.crossRuns) { await quiet([s]); cross[s.kind].push(await run(s, `run ${i + 1}`, "java")); }
  }, {}, m.rounds);
  for (const kind of KINDS) if (runs[kind].length)
    R.manyStreams[kind] = { ...summariseLines(runs[kind]), peakThreads: median(runs[kind].map((r) => r.serverPeakThreads)),
      java: cross[kind].length ? summariseLines(cross[kind]) : null };
}
function summariseLines(runs) {
  return { p50: median(runs.map((r) => r.latP50)), p99: median(runs.map((r) => r.latP99)), max: median(runs.map((r) => r.latMax)),
    serverCpuPct: median(runs.map((r) => r.serverCpuPct)), rssMB: median(runs.map((r) => r.serverRssMB)), heapMB: median(runs.map((r) => r.heapMB)),
    threads: median(runs.map((r) => r.serverThreads)), loadgenCpuPct: median(runs.map((r) => r.cpuPct)), lgUsPerLine: median(runs.map((r) => r.lgUsPerLine)), connectMs: median(runs.map((r) => r.connectMs)),
    ok: runs.every((r) => r.ok), n: runs.length, lines: median(runs.map((r) => r.lines)) };
}

async function scenarioLatency() {
  const runs = Object.fromEntries(KINDS.map((k) => [k, []]));
  await sideBySide("latency", (s) => linesRun(s, 1, 100, 10, "latency warm-up"), async (s, i) => {
    const r = await linesRun(s, 1, P.latencyLines, 10, `latency run ${i + 1}`);
    r.heapMB = null;
    runs[s.kind].push(r);
  });
  for (const kind of KINDS) if (runs[kind].length) R.latency[kind] = summariseLines(runs[kind]);
}

async function scenarioIdle() {
  const runs = Object.fromEntries(KINDS.map((k) => [k, []]));
  for (let i = 0; i < P.idleRuns; i++) for (const kind of inTurn(KINDS, i)) await idleRun(kind, i, runs[kind]);
  for (const kind of KINDS) R.idle[kind] = summariseIdle(runs[kind]);
}

// One idle run on a fresh server; its figures go into runs.
async function idleRun(kind, i, runs) {
  let s = null;
  try {
    s = await startServer(kind, { keepalive: P.idleKeepalive });
    const threadsNoCommand = await settledThreads(s);
    const post = await request(s.port, "POST", "/projects/bench/commands", { command: `sleep ${P.sleepS}` });
    if (post.status !== 202) throw new Error(`POST ${post.status} ${post.body}`);
    const { stream_url: url, stream_id: id } = JSON.parse(post.body);
    await sleep(1000);
    const heap0 = await heapMB(s, true); await sleep(200);
    const b = procStat(s.pid);
    const fd0 = fdCount(s.pid);
    let after = null;
    const r = await loadgen(["--base", base(s), "--key", KEY, "--mode", "idle", "--subs", String(P.idleSubs), "--workers", P.idleSubs >= 1000 ? "2" : "1",
      "--path", url, "--hold-s", String(P.idleHoldS + 120)], { timeoutS: 180, stdinHold: true, onPhase: (ph, lg) => {
      // every subscriber has its response head: hold them for two keepalive intervals, then measure and close
      (async () => {
        const c0 = procStat(s.pid), tc0 = nowMs();
        await sleep(P.idleHoldS * 1000);
        const c1 = procStat(s.pid), tc1 = nowMs();
        const heap1 = await heapMB(s, true); await sleep(200);
        const a = procStat(s.pid);
        after = { heap1, a, fd1: fdCount(s.pid), holdCpuPct: 100 * (c1.cpuTicks - c0.cpuTicks) / CLK_TCK / ((tc1 - tc0) / 1000), connectMs: ph.connectMs };
        lg.stdin.end("close\n");
      })().catch((e) => { problems.push(`idle on ${kind}: ${e.message}`); lg.stdin.end("close\n"); });
    } });
    if (!r.ok || !after) problems.push(`idle on ${kind}: ${describeFailure(r)}, open at the end ${r.openAtClose}/${P.idleSubs}, fewest keepalives ${r.minKeepalives}`);
    const commandThreads = await threadsPerCommands(s, kind);
    if (after) {
      const n = P.idleSubs;
      runs.push({ ok: r.ok, threadsNoCommand, commandThreads, heapBaseMB: heap0, heapMB: after.heap1, heapPerConnKB: (after.heap1 - heap0) * 1024 / n,
        rssBaseMB: b.rssKB / 1024, rssMB: after.a.rssKB / 1024, rssPerConnKB: (after.a.rssKB - b.rssKB) / n,
        threadsBase: b.threads, threads: after.a.threads, fds: after.fd1 - fd0, holdCpuPct: after.holdCpuPct, connectMs: after.connectMs,
        loadgenCpuPct: r.cpuPct, minKeepalives: r.minKeepalives });
      log(`idle ${kind} run ${i + 1}: ${r.ok ? "ok" : "BROKEN"} heap ${fmt(heap0)} -> ${fmt(after.heap1)} MB, rss ${fmt(b.rssKB / 1024)} -> ${fmt(after.a.rssKB / 1024)} MB, threads ${b.threads} -> ${after.a.threads}`);
    }
    await request(s.port, "POST", `/projects/bench/streams/${id}/cancel`).catch(() => { });
  } catch (e) { problems.push(`idle on ${kind}: ${e.message}`); }
  finally { await stopServer(s, "idle"); }
}
// The server's thread count once it has not changed for half a second (5 s at most): a command's
// threads start a moment after its POST's answer.
async function settledThreads(s) {
  let last = procStat(s.pid).threads, since = nowMs();
  for (const end = nowMs() + 5000; nowMs() < end && nowMs() - since < 500;) {
    await sleep(100);
    const t = procStat(s.pid).threads;
    if (t !== last) { last = t; since = nowMs(); }
  }
  return last;
}
// Threads against running commands: more `sleep`s, up to each of P.threadCommands running (the idle
// run's own one counts), the thread count read at each; all cancelled after. {commands: threads}.
async function threadsPerCommands(s, kind) {
  const ids = [], out = {};
  try {
    for (const n of P.threadCommands) {
      while (ids.length + 1 < n) {
        const post = await request(s.port, "POST", "/projects/bench/commands", { command: `sleep ${P.sleepS}` });
        if (post.status !== 202) throw new Error(`POST ${post.status} ${post.body}`);
        ids.push(JSON.parse(post.body).stream_id);
      }
      out[n] = await settledThreads(s);
    }
  } catch (e) { problems.push(`threads per command on ${kind}: ${e.message}`); }
  for (const id of ids) await request(s.port, "POST", `/projects/bench/streams/${id}/cancel`).catch(() => { });
  return out;
}
function summariseIdle(runs) {
  const m = (k) => median(runs.map((r) => r[k]));
  const commandThreads = Object.fromEntries(P.threadCommands.map((n) => [n, median(runs.map((r) => r.commandThreads[n]))]));
  return { threadsNoCommand: m("threadsNoCommand"), commandThreads, heapBaseMB: m("heapBaseMB"), heapMB: m("heapMB"), heapPerConnKB: m("heapPerConnKB"), rssBaseMB: m("rssBaseMB"), rssMB: m("rssMB"),
    rssPerConnKB: m("rssPerConnKB"), threadsBase: m("threadsBase"), threads: m("threads"), fds: m("fds"), holdCpuPct: m("holdCpuPct"),
    connectMs: m("connectMs"), loadgenCpuPct: m("loadgenCpuPct"), ok: runs.length === P.idleRuns && runs.every((r) => r.ok), n: runs.length };
}

// Every client on its own, against bench/loadgen/source.js (a trivial SSE source): the load
// generator and the Java client over many subscribers, and the Java socket reader, curl and the load
// generator on one connection. Each figure is a client's ceiling here, unless the source's own CPU
// was near a full core meanwhile: then it is the source's, and the client's is at least that.
async function scenarioLoadgen() {
  const port = await freePort();
  const src = spawn(...onServerCore(process.execPath, [SOURCE, "--port", String(port)]), { stdio: ["ignore", "pipe", "inherit"] });
  children.add(src); src.on("exit", () => children.delete(src));
  await new Promise((res) => src.stdout.once("data", res));
  const srcBase = `http://127.0.0.1:${port}`;
  // a run with the source's CPU share over the client's own run (not its start-up)
  const measured = async (fn) => {
    const a = procStat(src.pid);
    const r = await fn();
    const b = procStat(src.pid);
    r.sourceCpuPct = a && b && r.runMs > 0 ? 100 * 1000 * (b.cpuTicks - a.cpuTicks) / CLK_TCK / r.runMs : null;
    return r;
  };
  try {
    const subs = QUICK ? 100 : 1000, events = 1000; // --quick: fewer events and bytes than before, as it measures five clients now
    const mb = QUICK ? 20 : 300, size = 65536, n = Math.ceil(mb * 1e6 / size);
    const linesArgs = ["--base", srcBase, "--key", KEY, "--mode", "lines", "--subs", String(subs), "--path", `/?events=${events}`, "--expect-lines", String(events)];
    const bytesArgs = ["--base", srcBase, "--key", KEY, "--mode", "bytes", "--path", `/?events=${n}&size=${size}`, "--expect-bytes", String(n * size)];
    const rs = [], rb = [], js = [], jb = [], cb = [];
    const evps = (r) => ({ evps: r.lines / (r.totalMs / 1000), cpuPct: 100 * r.cpuTotalMs / r.totalMs, ok: r.ok });
    const mbps = (r) => ({ mbps: r.bytes / 1e6 / (r.runMs / 1000), cpuPct: r.cpuPct, sourceCpuPct: r.sourceCpuPct, ok: r.ok });
    for (let i = 0; i < P.loadgenRuns; i++) {
      const r = await loadgen([...linesArgs, "--workers", "2"], { timeoutS: 120 });
      if (!r.ok) problems.push(`loadgen self-test (lines): ${describeFailure(r)}`);
      rs.push(evps(r));
      const b = await measured(() => loadgen([...bytesArgs, "--subs", "1"], { timeoutS: 120 }));
      if (!b.ok) problems.push(`loadgen self-test (bytes): ${describeFailure(b)}`);
      rb.push({ ...mbps(b), mbps: b.bytes / 1e6 / (b.totalMs / 1000), cpuPct: 100 * b.cpuTotalMs / b.totalMs });
      if (i < P.crossRuns) {
        const j = await javaClient(linesArgs, { timeoutS: 120 });
        if (!j.ok) problems.push(`Java client self-test (lines): ${describeFailure(j)}`);
        js.push(evps(j));
        const jr = await measured(() => javaClient(bytesArgs, { timeoutS: 120 }));
        if (!jr.ok) problems.push(`Java client self-test (bytes): ${describeFailure(jr)}`);
        jb.push(mbps(jr));
        cb.push(await measured(() => curlAlone(`${srcBase}/?events=${n}&size=${size}`, n * size)));
      }
    }
    const med = (xs, k) => median(xs.map((x) => x[k]));
    R.loadgen = { subs, events, evps: med(rs, "evps"), evCpuPct: med(rs, "cpuPct"), mbps: med(rb, "mbps"), mbCpuPct: med(rb, "cpuPct"), mbSourceCpuPct: med(rb, "sourceCpuPct"),
      javaEvps: med(js, "evps"), javaEvCpuPct: med(js, "cpuPct"), javaMbps: med(jb, "mbps"), javaMbCpuPct: med(jb, "cpuPct"), javaMbSourceCpuPct: med(jb, "sourceCpuPct"),
      curlMbps: med(cb, "mbps"), curlCpuPct: med(cb, "cpuPct"), curlSourceCpuPct: med(cb, "sourceCpuPct") };
    const lg = R.loadgen;
    log(`clients alone: loadgen ${fmt(lg.evps, 0)} events/s over ${subs} subscribers (cpu ${fmt(lg.evCpuPct, 0)}%), ${fmt(lg.mbps, 0)} MB/s on one (cpu ${fmt(lg.mbCpuPct, 0)}%); ` +
      `Java client ${fmt(lg.javaEvps, 0)} events/s (cpu ${fmt(lg.javaEvCpuPct, 0)}%), Java reader ${fmt(lg.javaMbps, 0)} MB/s (cpu ${fmt(lg.javaMbCpuPct, 0)}%, source ${fmt(lg.javaMbSourceCpuPct, 0)}%); ` +
      `curl ${fmt(lg.curlMbps, 0)} MB/s (cpu ${fmt(lg.curlCpuPct, 0)}%, source ${fmt(lg.curlSourceCpuPct, 0)}%)`);
  } finally { killChild(src); }
}
// curl alone on a URL: MB/s of content (`bytes`, known to the caller) over curl's own time.
function curlAlone(url, bytes) {
  const t0 = nowMs();
  const r = spawnSync(...onClientCores("bash", ["-c", `curl -sS -N --no-buffer --max-time 120 -o /dev/null -w '%{size_download}\\n' "$1"; times`, "curl-alone", url]), { encoding: "utf8", timeout: 130000 });
  const ms = nowMs() - t0, size = Number(r.stdout.split("\n")[0]);
  const ok = size >= bytes, cpuMs = childrenCpuMs(r.stdout);
  if (!ok) problems.push(`curl self-test: ${size} bytes for ${bytes} of content`);
  return Promise.resolve({ ok, mbps: bytes / 1e6 / (ms / 1000), cpuPct: cpuMs === null ? null : 100 * cpuMs / ms, runMs: ms });
}
// The children's user+sys CPU in ms, from the last line of bash's `times` at the end of `out`.
function childrenCpuMs(out) {
  const t = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(out.trim());
  return t ? 1000 * (60 * t[1] + Number(t[2]) + 60 * t[3] + Number(t[4])) : null;
}

// ------------------------------------------------------------------------------------- report
function gitHead() {
  const r = spawnSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  const d = spawnSync("git", ["-C", ROOT, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" });
  return (r.stdout || "?").trim() + (d.stdout && d.stdout.trim() ? " + uncommitted changes" : "");
}
function machine() {
  const cpu = (fs.readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) || [])[1] || os.arch();
  const mem = (fs.readFileSync("/proc/meminfo", "utf8").match(/MemTotal:\s+(\d+)/) || [])[1];
  const jv = spawnSync("java", ["-version"], { encoding: "utf8" }).stderr.split("\n").filter(Boolean);
  let bsse = "?"; try { bsse = JSON.parse(fs.readFileSync(path.join(BENCH, "peers/better-sse/node_modules/better-sse/package.json"))).version; } catch { }
  // The JVM peers' stacks: Spring Boot's from the extracted jar's lib/, Jersey's from the project's pom (the peer's parent).
  let boot = null; try { boot = fs.readdirSync(path.join(WEBFLUX_DIR, "lib")).map((f) => /^spring-boot-(\d[\w.-]*)\.jar$/.exec(f)).find(Boolean)[1]; } catch { }
  const jersey = (/<jersey\.version>([^<]+)</.exec(fs.readFileSync(path.join(ROOT, "pom.xml"), "utf8")) || [])[1] || "?";
  return { cores: os.cpus().length, cpu, memGB: mem ? (Number(mem) / 1048576).toFixed(1) : "?", java: jv[0] + (jv[2] ? ` (${jv[2].trim()})` : ""),
    node: process.version, betterSse: bsse, springBoot: boot, jersey, kernel: os.release(), load: os.loadavg().map((x) => x.toFixed(2)).join(" ") };
}
// ratio of execstream to the peer, phrased so that > 1 means execstream is better
function better(es, peer, higherIsBetter) {
  if (es === null || peer === null || es === undefined || peer === undefined || es === 0 || peer === 0) return { txt: "–", ok: null };
  const r = higherIsBetter ? es / peer : peer / es;
  return { txt: `${r.toFixed(2)}×`, ok: r > 1 };
}
const yes = (b) => b === null ? "–" : b ? "yes" : "**no**";
const verdict = (b) => b === null ? "–" : b ? "**PASS**" : "**FAIL**";

const NAMES = { execstream: "execstream (fast path)", "execstream-disk": "execstream, disk publisher", "execstream-jaxrs": "execstream on JAX-RS",
  "better-sse": "better-sse peer", webflux: "Spring WebFlux peer", "jersey-broadcaster": "Jersey JAX-RS SSE peer" };
// A figure of one server as a multiple of another's (no inversion): 0.5× on MB/s is half as fast, 2× on a cost twice the cost.
function times(x, of) { return x === null || of === null || x === undefined || of === undefined || of === 0 ? "–" : `${(x / of).toFixed(2)}×`; }

function report(m, startedAt, minutes) {
  const E = "execstream", J = "execstream-jaxrs";
  const withJ = KINDS.includes(J);
  const peers = KINDS.filter(isPeer); // each gets its own comparison columns and target row
  const L = [];
  const row = (cells) => L.push("| " + cells.join(" | ") + " |");
  const head = (cells) => { row(cells); row(cells.map(() => "---")); };
  const n = KINDS.length, servers = n === 2 ? "The two servers" : `The ${n} servers`;
  const titled = KINDS.map((k) => isPeer(k) ? `a ${NAMES[k]}` : NAMES[k]);
  L.push(`## Side by side: ${titled.length > 2 ? titled.slice(0, -1).join(", ") + " and " + titled[titled.length - 1] : titled.join(" vs ")} (${QUICK ? "quick run" : "full run"}, ${startedAt})`, "");
  L.push(`Machine: ${m.cores} cores (${m.cpu}), ${m.memGB} GB memory, Linux ${m.kernel}; ${m.java}; Node ${m.node}; better-sse ${m.betterSse}` +
    (KINDS.includes("webflux") ? `; Spring Boot ${m.springBoot || "?"} (WebFlux on Reactor Netty)` : "") + (KINDS.includes("jersey-broadcaster") ? `; Jersey ${m.jersey} (peer)` : "") + ".",
    ...(PIN ? [`**Pinned** (\`--pin-cores\`): each server and the commands it runs on CPU ${PIN.server}, the clients on CPU ${PIN.clients} (\`taskset\`); a JVM server sees one core, and its ergonomics choose the serial collector.`] : []),
    `Load average when the run started: ${m.load}, when it ended: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} (the cores are shared with other builds; figures move by ±10-20 % between runs, more under heavy load).`,
    ...(STEAL.length ? [`CPU time taken by the hypervisor for other guests ("steal" in /proc/stat), per scenario: ${STEAL.map(([n, p]) => `${n} ${fmt(p, 1)} %`).join(", ")}.`] : []),
    `Server jar: ${JAR_INFO}${withJ ? `; JAX-RS server jar: ${JAXRS_JAR_INFO}` : ""}${Object.entries(PEER_JARS).filter(([k]) => KINDS.includes(k)).map(([k, j]) => `; ${k} jar: ${j.info}`).join("")}, git ${gitHead()}.`,
    `The run took ${minutes.toFixed(1)} minutes. Every figure is the median of ${RUNS} runs unless noted (idle: ${P.idleRuns}, each on a fresh server; many-streams: ${P.manyStreams.rounds}; the second clients' figures: ${P.crossRuns}); each scenario starts fresh servers. ${servers} take turns: their measured runs (and starts) alternate, one of each at a time, the order rotating by one place each round (${KINDS.join(", ")}; then ${inTurn(KINDS, 1).join(", ")}; ...), each run once every server is quiet, so that a busy spell on the shared cores falls on all of them rather than on one.`, "");
  L.push("Commands (`$WORK` is a temp dir; the same keys file and arguments for all where they apply):", "",
    "```sh", `${QUICK ? "bash bench/run.sh --quick" : "bash bench/run.sh"}${opt("--servers", null) ? " --servers " + KINDS.join(",") : ""}`,
    ...KINDS.map((k) => COMMANDS[k] || `(${k} not run)`),
    `# throughput generators (fast: the figure; line-oriented: the second figure), each also into a raw pipe:`,
    `sh -c "${GENS.fast.cmd(P.throughputMB)}"`, `sh -c "${GENS.lines.cmd(P.throughputMB)}"`, `sh -c "${GENS.fast.cmd(P.throughputMB)} | cat > /dev/null"`,
    `# throughput clients: curl (the figure), the Java socket reader (checks every byte; the cross-check):`,
    `curl -sS -N --no-buffer -H "X-API-Key: K" -o /dev/null -w '%{size_download} %{http_code}' URL`,
    `java -cp $WORK/sse-bench SseBench --base URL --key K --mode bytes --command CMD --expect-bytes N`,
    `# many streams: ${P.manyStreams.streams} commands, ${P.manyStreams.subs / P.manyStreams.streams} subscribers each; command i reads named pipe i, all written by one generator:`,
    `cat DIR/s-i`,
    `node bench/loadgen/fifo-gen.js --dir DIR --streams ${P.manyStreams.streams} --interval-ms ${P.manyStreams.intervalMs} --count ${P.manyStreams.lines} --go-file F`,
    `# fan-out and latency generator (one line = its send time in epoch ms + a sequence number):`,
    `node bench/loadgen/gen.js --interval-ms 20 --count ${P.fanoutLines} --go-file F   # --interval-ms 10 --count ${P.latencyLines} for latency`,
    `node bench/loadgen/loadgen.js --base URL --key K --mode lines|bytes|idle --subs N [--streams S] ...`,
    `java -cp $WORK/sse-bench SseBench --base URL --key K --mode lines --subs N [--streams S] ...   # the second client`, "```", "",
    ...(withJ ? ["`execstream-jaxrs` is `bench/jaxrs-server/`: the same `ExecStream` as `serve` builds from the same flags (the adapters of `AdapterPlugins.load`, the same limits), served through `ExecStreamFeature` registered in a plain `ResourceConfig` (WADL off) on `jersey-container-grizzly2-http`, with the same keys file, keepalive, write timeout and body limit: the API as an application mounts it, with no fast path (event streams on JAX-RS `SseEventSink`, through `SinkOutput`). It has neither the standalone server's start-up trimming (no scan of META-INF services and auto-discoverable features, a warm-up of the first request on another thread) nor its `/metrics`.", ""] : []),
    ...(KINDS.includes("webflux") ? ["`webflux` is `bench/peers/webflux/`: the same endpoints and event format as the better-sse peer, written the textbook way on Spring Boot WebFlux (Reactor Netty): a `Sinks.many().replay().all()` per stream holds its history, each subscriber gets `Flux<ServerSentEvent<?>>` (the replay with the first `Last-Event-ID` events skipped, merged with a `Flux.interval` keepalive), a platform thread per pipe reads the command's output. Its jar is run extracted (`java -Djarmode=tools -jar … extract`), as Spring Boot runs with a class-data archive.", ""] : []),
    ...(KINDS.includes("jersey-broadcaster") ? ["`jersey-broadcaster` is `bench/peers/jersey-broadcaster/`: the same endpoints and event format on the JAX-RS standard SSE API alone, on Jersey's Grizzly container: per stream its history in a list of `OutboundSseEvent` (JSON by Jackson, per subscriber, as JAX-RS writes an event's data), replayed to a new `SseEventSink` before it joins the stream's list of live sinks, each event sent to each sink on the command's reader thread (not Jersey's `SseBroadcaster`, which drops events for a subscriber 256 behind), a timer that sends the keepalive comment, a platform thread per pipe.", ""] : []),
    KINDS.filter(isJava).some(cdsReady)
      ? `${KINDS.filter(cdsReady).map((k) => `\`${k}\``).join(" and ")} run${KINDS.filter(cdsReady).length > 1 ? " each" : "s"} with an AppCDS archive of ${KINDS.filter(cdsReady).length > 1 ? "their" : "its"} classes (\`$WORK/<server>.jsa\`), written by one unmeasured training run (\`-XX:ArchiveClassesAtExit\`: start, one command, stop), as \`./execstream\` runs it; \`EXECSTREAM_BENCH_NO_CDS=1\` measures without.`
      : "execstream ran without a class-data archive.", "",
    HEAP.length
      ? `The JVM's heap is what \`./execstream\` gives it for a ${HISTORY_BUDGET} history budget (\`${HEAP.join(" ")}\`: twice the budget plus 1 GiB, at most three quarters of the memory)${KINDS.filter(isJava).length > 1 ? ", on every JVM server" : ""}; \`EXECSTREAM_BENCH_NO_HEAP=1\` leaves it to the JVM's default (a quarter of the memory).`
      : "The JVM's heap was left to its default (a quarter of the memory).", "",
    ...(KINDS.includes("execstream-disk") ? [`\`execstream-disk\` is the same server with \`--publisher disk\` (serve's default; a fresh \`--data-dir\` under \`$WORK\` for each start, \`--fsync interval\`) and the heap \`./execstream\` gives it (${DISK_HEAP.length ? `\`${DISK_HEAP.join(" ")}\`` : "the JVM's default"}): the history is in files, the same limits counted on disk. \`execstream\` and \`execstream-jaxrs\` run \`--publisher memory\`.`, ""] : []),
    `History: every server keeps every event of a stream (execstream with \`--max-history ${HISTORY_BUDGET}\`, as much as the budget, so that serve has no warning to give), so a subscriber can resume anywhere, and forgets finished streams, oldest first, once more than ${HISTORY_BUDGET} of output is kept in all (\`--history-budget ${HISTORY_BUDGET}\` on all, execstream's default). Each throughput run thus starts from the same memory, not with every earlier run's output still held.`, "");
  // ---- the figures compared: [name, {kind: value}, higher is better, decimals]
  const F = [];
  // fixed: a cost of the runtime more than of the server's work (threads, start-up), which the issue reports beside the
  // work figures with goals of its own, rather than asking for a lead on it
  const fig = (name, get, hi, d, fixed = false) => { const v = Object.fromEntries(KINDS.map((k) => [k, get(k)])); if (v[E] !== null && v[E] !== undefined) F.push({ name, v, hi, d, fixed }); };
  const on = (table, key = (k) => k) => (k) => table[key(k)] || null;
  const thr = on(R.throughput);
  if (thr(E)) { fig("throughput, MB/s (higher is better)", (k) => thr(k) && thr(k).mbps, true, 0); fig("throughput: server CPU per MB moved, ms", (k) => thr(k) && thr(k).serverCpuMsPerMB, false, 1);
    fig("throughput, Java reader, MB/s (higher is better)", (k) => thr(k) && thr(k).readerMbps, true, 0);
    fig("throughput, line-oriented generator, MB/s (higher is better)", (k) => thr(k) && thr(k).lineMbps, true, 0); }
  for (const subs of fanoutSizes()) {
    const f = on(R.fanout, (k) => `${k}/${subs}`);
    if (!f(E)) continue;
    fig(`fan-out ${subs}: p50 latency, ms`, (k) => f(k) && f(k).p50, false, 2); fig(`fan-out ${subs}: p99 latency, ms`, (k) => f(k) && f(k).p99, false, 2);
    fig(`fan-out ${subs}, Java client: p50 latency, ms`, (k) => f(k) && f(k).java && f(k).java.p50, false, 2); fig(`fan-out ${subs}, Java client: p99 latency, ms`, (k) => f(k) && f(k).java && f(k).java.p99, false, 2);
    fig(`fan-out ${subs}: server CPU, % of a core`, (k) => f(k) && f(k).serverCpuPct, false, 0); fig(`fan-out ${subs}: server RSS, MB`, (k) => f(k) && f(k).rssMB, false, 0);
  }
  const ms = on(R.manyStreams), msName = `many streams (${P.manyStreams.streams} × ${P.manyStreams.subs / P.manyStreams.streams})`;
  if (ms(E)) { fig(`${msName}: p50 latency, ms`, (k) => ms(k) && ms(k).p50, false, 2); fig(`${msName}: p99 latency, ms`, (k) => ms(k) && ms(k).p99, false, 2);
    fig(`${msName}, Java client: p50 latency, ms`, (k) => ms(k) && ms(k).java && ms(k).java.p50, false, 2); fig(`${msName}, Java client: p99 latency, ms`, (k) => ms(k) && ms(k).java && ms(k).java.p99, false, 2);
    fig(`${msName}: server CPU, % of a core`, (k) => ms(k) && ms(k).serverCpuPct, false, 0); fig(`${msName}: server RSS, MB`, (k) => ms(k) && ms(k).rssMB, false, 0);
    fig(`${msName}: server threads, most seen`, (k) => ms(k) && ms(k).peakThreads, false, 0, true); }
  const idl = on(R.idle);
  if (idl(E)) { fig("idle: heap per connection, KB", (k) => idl(k) && idl(k).heapPerConnKB, false, 1); fig("idle: RSS per connection, KB", (k) => idl(k) && idl(k).rssPerConnKB, false, 1);
    fig(`idle: threads with ${P.idleSubs} connections`, (k) => idl(k) && idl(k).threads, false, 0, true);
    const most = P.threadCommands[P.threadCommands.length - 1];
    fig(`threads with ${most} running commands`, (k) => idl(k) && idl(k).commandThreads[most], false, 0, true); }
  const lat = on(R.latency);
  if (lat(E)) { fig("low load: p50 latency, ms", (k) => lat(k) && lat(k).p50, false, 2); fig("low load: p99 latency, ms", (k) => lat(k) && lat(k).p99, false, 2); }
  const st = on(R.startup);
  if (st(E)) { fig("start-up to /healthz, ms", (k) => st(k) && st(k).healthMs, false, 0, true); fig("POST to first event, first request after start, ms", (k) => st(k) && st(k).coldFirstEventMs, false, 0, true);
    fig("POST to first event, warm, ms", (k) => st(k) && st(k).warmFirstEventMs, false, 1); }
  // ---- targets, for each of execstream's transports
  const sizes = QUICK ? " (quick sizes: indicative only)" : "";
  const mine = KINDS.filter((k) => k === E || k === J);
  const targets = [
    [`throughput ≥ 50 % of the raw pipe (the fast generator, curl; its ceiling alone: ${fmt(R.loadgen.curlMbps, 0)} MB/s)${sizes}`, (k) => { const t = R.throughput[k]; return t && [`${fmt(100 * t.mbps / t.pipeMbps, 0)} % (${fmt(t.mbps, 0)} of ${fmt(t.pipeMbps, 0)} MB/s)`, t.ok && t.mbps / t.pipeMbps >= 0.5]; }],
    ["1,000 subscribers at 50 lines/s: p99 ≤ 100 ms, every line delivered", (k) => { const f = R.fanout[`${k}/1000`]; return f && [`p99 ${fmt(f.p99)} ms${f.ok ? "" : ", lines missing"}`, f.ok && f.p99 <= 100]; }],
    ["5,000 subscribers at 50 lines/s: p99 ≤ 500 ms, every line delivered", (k) => { const f = R.fanout[`${k}/5000`]; return f && [`p99 ${fmt(f.p99)} ms${f.ok ? "" : ", lines missing"}`, f.ok && f.p99 <= 500]; }],
    [`10,000 subscribers at 50 lines/s: p99 ≤ 250 ms${P.fanoutCrossRuns ? " with both clients" : ""}, every line delivered`, (k) => { const f = R.fanout[`${k}/10000`];
      return f && [`p99 ${fmt(f.p99)} ms${f.java ? ` (Java client ${fmt(f.java.p99)} ms)` : ""}${f.ok && (!f.java || f.java.ok) ? "" : ", lines missing"}`,
        f.ok && f.p99 <= 250 && (!P.fanoutCrossRuns || (!!f.java && f.java.ok && f.java.p99 <= 250))]; }],
    [`${P.manyStreams.streams} streams × ${1000 / P.manyStreams.intervalMs} lines/s × ${P.manyStreams.subs / P.manyStreams.streams} subscribers: every line delivered${P.manyStreams.crossRuns ? ", with both clients" : ""}${sizes}`, (k) => { const x = R.manyStreams[k];
      return x && [`p99 ${fmt(x.p99)} ms${x.java ? ` (Java client ${fmt(x.java.p99)} ms)` : ""}${x.ok && (!x.java || x.java.ok) ? "" : ", lines missing"}`, x.ok && (!P.manyStreams.crossRuns || (!!x.java && x.java.ok))]; }],
    [`${P.idleSubs.toLocaleString("en")} idle connections within 512 MB heap${sizes}`, (k) => { const i = R.idle[k]; return i && i.heapMB !== null && [`${fmt(i.heapMB, 0)} MB live heap (${fmt(i.heapPerConnKB, 1)} KB per connection)`, i.ok && i.heapMB <= 512]; }],
    ["start-up to the first request ≤ 1 s", (k) => { const s = R.startup[k]; return s && s.healthMs !== null && [`${fmt(s.healthMs, 0)} ms`, s.healthMs <= 1000]; }],
    ...peers.map((B) => [`every figure of the server's own work better than the ${NAMES[B]} (fixed costs: below)`, (k) => {
      const c = F.filter((f) => !f.fixed && f.v[B] !== null && f.v[B] !== undefined && f.v[k] !== null && f.v[k] !== undefined);
      if (!c.length) return null;
      const worse = c.filter((f) => !better(f.v[k], f.v[B], f.hi).ok).map((f) => f.name);
      return [worse.length === 0 ? `all ${c.length} better` : `better on ${c.length - worse.length} of ${c.length}` + (worse.length <= 4 ? ` (not: ${worse.join("; ")})` : " (see the table below)"), worse.length === 0];
    }])];
  L.push("### Targets", "");
  head(["target (from the issue)", ...mine.flatMap((k) => [NAMES[k], "verdict"])]);
  for (const [name, get] of targets) {
    const cells = mine.flatMap((k) => { const r = get(k); return r ? [r[0], verdict(r[1])] : ["–", "–"]; });
    if (cells.some((c) => c !== "–")) row([name, ...cells]);
  }
  L.push("", problems.length ? `**Broken scenarios** (a subscriber missed something, or a server failed): ${problems.join(" / ")}` : "Every subscriber of every run received every line or byte and the done event, with no gap.", "");
  // ---- fixed costs: goals reported, not gated
  const idleFor = (k) => R.idle[k] || null;
  if (KINDS.some((k) => R.startup[k] || R.idle[k])) {
    const most = P.threadCommands[P.threadCommands.length - 1];
    const goals = [
      ["start-up to the first request ≤ 500 ms with the class-data archive", (k) => { const st = R.startup[k]; return st && st.healthMs !== null &&
        [`${fmt(st.healthMs, 0)} ms${isJava(k) && !cdsReady(k) ? " (no archive)" : ""}`, st.healthMs <= 500]; }],
      ["an idle connection ≤ 16 KB of heap", (k) => { const i = idleFor(k); return i && i.heapPerConnKB !== null && [`${fmt(i.heapPerConnKB, 1)} KB`, i.heapPerConnKB <= 16]; }],
      [`threads independent of the number of connections (0 → ${P.idleSubs.toLocaleString("en")})`, (k) => { const i = idleFor(k); return i && i.threads !== null &&
        [`${fmt(i.threadsBase, 0)} → ${fmt(i.threads, 0)}`, i.threads - i.threadsBase <= 2]; }],
      [`threads independent of the number of running commands (0, 1, ${P.threadCommands.join(", ")}), as far as the JDK allows`, (k) => { const i = idleFor(k);
        if (!i || i.threadsNoCommand === null || i.commandThreads[most] === null) return null;
        // per command from the first to the last: the first command also starts pools' first threads
        const per = (i.commandThreads[most] - i.threadsBase) / (most - 1);
        return [`${[i.threadsNoCommand, i.threadsBase, ...P.threadCommands.map((n) => i.commandThreads[n])].map((t) => fmt(t, 0)).join(" → ")} (${fmt(per, 1)} per command${k.startsWith("execstream") && Math.round(per) === 2 ? ", as expected today" : ""})`, per < 0.5]; }]];
    L.push("### Fixed costs", "", `Goals, reported and not gated. Start-up: the median of the start-up scenario's starts. Heap per idle connection and threads against connections: the idle scenario. Threads against running commands: the same server before its \`sleep\` starts, with it, then with more \`sleep\`s up to ${P.threadCommands.join(" and ")} running. ` +
      "Today each running command costs execstream 2 threads, a blocking reader each for stdout and stderr (the JDK has no non-blocking pipe I/O for a child process). One thread, the local runner's \"execstream-reaper\", waits for the end of every child it started with posix_spawn, through a pidfd each; until 2026-12-08 the JDK started the children and kept a \"process reaper\" thread for each, 3 in all (4 until 2026-12-06, when a thread of execstream's own also waited for the end). The last goal counts 2 as not met. Per command is counted from 1 running to the most, since the first also starts pools' first threads; the launcher's pool keeps an idle thread for a minute, which may add one or two.", "");
    head(["goal", ...KINDS.flatMap((k) => [NAMES[k] || k, "met?"])]);
    for (const [name, get] of goals) row([name, ...KINDS.flatMap((k) => { const r = get(k); return r ? [r[0], k.startsWith("execstream") ? (r[1] ? "met" : "**not met**") : "–"] : ["–", "–"]; })]);
    L.push("");
  }
  // ---- a lead must hold with more than one client
  for (const B of peers) {
    const pairs = [["throughput, MB/s (curl / Java reader)", "throughput, MB/s (higher is better)", "throughput, Java reader, MB/s (higher is better)"]];
    for (const n of fanoutSizes()) for (const q of ["p50", "p99"]) pairs.push([`fan-out ${n}: ${q} latency (loadgen / Java client)`, `fan-out ${n}: ${q} latency, ms`, `fan-out ${n}, Java client: ${q} latency, ms`]);
    const msn = `many streams (${P.manyStreams.streams} × ${P.manyStreams.subs / P.manyStreams.streams})`;
    for (const q of ["p50", "p99"]) pairs.push([`${msn}: ${q} latency (loadgen / Java client)`, `${msn}: ${q} latency, ms`, `${msn}, Java client: ${q} latency, ms`]);
    const byName = Object.fromEntries(F.map((f) => [f.name, f]));
    const leadRows = pairs.filter(([, a, b]) => byName[a] && byName[b]);
    if (leadRows.length) {
      L.push(`### Leads over the ${NAMES[B]}, checked with two clients`, "", `The fast path vs the ${NAMES[B]} (as in the table below: above 1× execstream is better) with each of two independent clients; a lead counts only where both see it.`, "");
      head(["figure", "first client", "second client", "lead holds with both?"]);
      for (const [name, a, b] of leadRows) {
        const x = better(byName[a].v[E], byName[a].v[B], byName[a].hi), y = better(byName[b].v[E], byName[b].v[B], byName[b].hi);
        row([name, x.txt, y.txt, x.ok === null || y.ok === null ? "–" : x.ok && y.ok ? "yes" : !x.ok && !y.ok ? "no lead" : "**one client only**"]);
      }
      L.push("");
    }
  }
  L.push("### Figures side by side", "", "Fast path vs a peer: how many times better execstream's fast path is than that peer (execstream ÷ peer for rates, peer ÷ execstream for costs); above 1× execstream is better. \"measures\": the server's own work (what the targets ask it to lead on), or a fixed cost of the runtime (threads, start-up: goals of their own, above)." +
    (withJ ? " JAX-RS ÷ fast path: the JAX-RS path's figure as a multiple of the fast path's, as it is, not inverted: below 1× on MB/s it moves less, above 1× on a cost (CPU, memory, threads, latency, time) it costs more; this is the cost of the portable path." : ""), "");
  const SHORT = { "better-sse": "better-sse", webflux: "WebFlux", "jersey-broadcaster": "Jersey SSE" };
  head(["figure", "measures", ...KINDS.map((k) => NAMES[k]), ...peers.flatMap((B) => [`fast path vs ${SHORT[B]}`, "fast path better?"]),
    ...(withJ ? ["JAX-RS ÷ fast path", ...peers.map((B) => `JAX-RS better than ${SHORT[B]}?`)] : [])]);
  for (const f of F) {
    row([f.name, f.fixed ? "fixed cost" : "server's work", ...KINDS.map((k) => fmt(f.v[k], f.d)), ...peers.flatMap((B) => { const b = better(f.v[E], f.v[B], f.hi); return [b.txt, yes(b.ok)]; }),
      ...(withJ ? [times(f.v[J], f.v[E]), ...peers.map((B) => yes(better(f.v[J], f.v[B], f.hi).ok))] : [])]);
  }
  // ---- details
  L.push("", "### Details", "");
  const ceiling = (mbps, src) => mbps === null || mbps === undefined ? "–" : `${src !== null && src >= 85 ? "≥ " : ""}${fmt(mbps, 0)}`;
  if (Object.keys(R.throughput).length) {
    const lg = R.loadgen;
    L.push(`**Throughput**: one command writes ${P.throughputMB} MB to one SSE client; MB/s of content received, from the POST to the done event. ` +
      `The generator is the fast one (\`yes\` with 101-byte lines, ${GENS.fast.bytes(P.throughputMB).toLocaleString("en")} bytes), measured into a raw pipe (\`| cat > /dev/null\`) in the same round; ` +
      `the client is curl (\`-N\`, to /dev/null: the response's size and a clean end), ${ceiling(lg.curlMbps, lg.curlSourceCpuPct)} MB/s on its own against \`source.js\` (its ceiling here; "≥" where the source used a full core), ` +
      `the lightest client at hand: on two cores shared with the server and the generator, what a client's CPU takes the server does not get. ` +
      `The Java socket reader (\`bench/loadgen/java/SseBench.java\`, \`--mode bytes\`; ${ceiling(lg.javaMbps, lg.javaMbSourceCpuPct)} MB/s alone), which decodes every event and checks the total content length and the done event, is the second client, ` +
      `and the earlier \`head | tr | fold\` generator (100-byte lines, ${GENS.lines.bytes(P.throughputMB).toLocaleString("en")} bytes, through the Java reader, next to its own raw pipe) gives the line-oriented figure; both in ${P.crossRuns} of the ${RUNS} rounds. ` +
      `The Node.js load generator is not a throughput client any more: at ${fmt(lg.mbps, 0)} MB/s on one connection at a full core it was the limit. ` +
      `Each server first gets ${P.throughputWarmRuns} unmeasured run${P.throughputWarmRuns > 1 ? "s" : ""} of the same size (so that its JIT compiling is done), then ${RUNS} measured runs on the same server. Server CPU is the server process's own (utime+stime; the generator's processes are its children and not counted) over curl's run; per MB it is the cost of the work, which the side-by-side table compares, since a server that moves more per second also uses more of a core while it runs.`, "");
    head(["server", "MB/s (curl)", "raw pipe MB/s", "% of pipe", "Java reader MB/s", "Java reader % of pipe", "line-oriented MB/s", "its raw pipe MB/s", "line-oriented % of pipe",
      "events per run", "server CPU %", "server CPU ms per MB", "peak RSS MB", "curl CPU %", "Java reader CPU %", "runs ok"]);
    for (const k of KINDS) { const t = R.throughput[k]; if (t) row([k, fmt(t.mbps, 0), fmt(t.pipeMbps, 0), fmt(100 * t.mbps / t.pipeMbps, 0), fmt(t.readerMbps, 0), fmt(100 * t.readerMbps / t.pipeMbps, 0),
      fmt(t.lineMbps, 0), fmt(t.linePipeMbps, 0), fmt(100 * t.lineMbps / t.linePipeMbps, 0), fmt(t.events, 0), fmt(t.serverCpuPct, 0), fmt(t.serverCpuMsPerMB, 1), fmt(t.rssMB, 0),
      fmt(t.clientCpuPct, 0), fmt(t.readerCpuPct, 0), t.ok && t.readerOk && t.lineOk ? `${t.n}/${t.n}` : "**no**"]); }
    L.push("");
  }
  const fanoutRows = (sizes, key, get) => {
    head(["server", "subscribers", "p50 ms", "p99 ms", "max ms", "Java client: p50 / p99 ms", "first warm-up run: p50 / p99 ms", "server CPU %", "RSS MB", "heap MB", "threads", "connect all, ms",
      "loadgen CPU % (of 200)", "loadgen µs CPU per line", "Java client CPU %", "every line (loadgen / Java)"]);
    for (const n of sizes) for (const k of KINDS) {
      const f = get(k, n); if (!f) continue;
      const j = f.java || {};
      row([k, n.toLocaleString("en"), fmt(f.p50, 2), fmt(f.p99, 2), fmt(f.max, 1), `${fmt(j.p50, 2)} / ${fmt(j.p99, 2)}`, `${fmt(f.warmP50, 1)} / ${fmt(f.warmP99, 1)}`, fmt(f.serverCpuPct, 0),
        fmt(f.rssMB, 0), fmt(f.heapMB, 0), fmt(key === "many" ? f.peakThreads : f.threads, 0), fmt(f.connectMs, 0), fmt(f.loadgenCpuPct, 0), fmt(f.lgUsPerLine, 1), fmt(j.loadgenCpuPct, 0),
        `${f.ok ? "yes" : "**no**"} / ${f.java ? (f.java.ok ? "yes" : "**no**") : "–"}`]);
    }
    L.push("");
  };
  if (Object.keys(R.fanout).length) {
    const big = fanoutSizes().includes(P.fanout10k.subs) && !P.fanoutSubs.includes(P.fanout10k.subs) ? P.fanout10k : null; // fanout10k's own sizes
    L.push(`**Fan-out**: one stream at 50 lines/s (${P.fanoutLines} lines, ${P.fanoutLines / 50} s${big ? `; ${big.lines} lines at ${big.subs.toLocaleString("en")} subscribers` : ""}) to N subscribers, all connected before the first line, after ${P.fanoutWarmRuns} unmeasured warm-up run${P.fanoutWarmRuns > 1 ? "s" : ""} of the same size on the same server (${big ? `${big.warmRuns} at ${big.subs.toLocaleString("en")}; ` : ""}so that its JIT compiling is done, as for throughput; the first warm-up run's figures in their own column); latency from the line's write (timestamp in the line) to its receipt; server CPU over the run (utime+stime from /proc), RSS peak during the run, heap in use after it (JVM: \`jcmd GC.heap_info\`; node: \`heapUsed\`). ` +
      `The Java client (${JAVA_IO === "nio" ? "non-blocking sockets, two selector threads" : "JDK \`HttpClient\`, two delivery threads"}; ${fmt(R.loadgen.javaEvps / 1000, 0)}k events/s alone) runs right after the load generator on the same server in ${P.fanoutCrossRuns} of the ${RUNS} rounds: its p50/p99 are the cross-check.`, "");
    fanoutRows(fanoutSizes(), "fanout", (k, n) => R.fanout[`${k}/${n}`]);
  }
  if (Object.keys(R.manyStreams).length) {
    const m = P.manyStreams;
    L.push(`**Many streams**: ${m.streams} commands at once, each writing a line every ${m.intervalMs} ms (${m.lines} lines; command i is \`cat\` of named pipe i, and one \`bench/loadgen/fifo-gen.js\` writes all the pipes, the streams' deadlines spread over the interval), each followed by ${m.subs / m.streams} subscribers (${m.subs.toLocaleString("en")} connections), all connected before the first line; ${m.warmRuns} unmeasured warm-up run${m.warmRuns === 1 ? "" : "s"} first. ` +
      `Threads: the most seen while it ran (2 per running command are expected today: a reader each for stdout and stderr).`, "");
    fanoutRows([m.subs], "many", (k) => R.manyStreams[k]);
  }
  if (Object.keys(R.idle).length) {
    L.push(`**Idle connections**: ${P.idleSubs.toLocaleString("en")} subscribers on a running \`sleep\` stream, keepalive ${P.idleKeepalive}, held ${P.idleHoldS} s; measured after a full GC, against a baseline taken before connecting (same server, same stream). Every connection must still be open and have received a keepalive.`, "");
    head(["server", "heap MB (baseline → with conns)", "heap KB/conn", "RSS MB (baseline → with conns)", "RSS KB/conn", "threads (baseline → with conns)", `threads with 0, 1, ${P.threadCommands.join(", ")} running commands`, "CPU % while idle", "connect all, ms", "all held"]);
    for (const k of KINDS) { const i = R.idle[k]; if (i) row([k, `${fmt(i.heapBaseMB)} → ${fmt(i.heapMB)}`, fmt(i.heapPerConnKB, 1), `${fmt(i.rssBaseMB)} → ${fmt(i.rssMB)}`, fmt(i.rssPerConnKB, 1), `${fmt(i.threadsBase, 0)} → ${fmt(i.threads, 0)}`,
      [i.threadsNoCommand, i.threadsBase, ...P.threadCommands.map((n) => i.commandThreads[n])].map((t) => fmt(t, 0)).join(" → "), fmt(i.holdCpuPct, 1), fmt(i.connectMs, 0), i.ok ? `${i.n}/${P.idleRuns}` : "**no**"]); }
    L.push("");
  }
  if (Object.keys(R.latency).length) {
    L.push(`**Latency at low load**: a line every 10 ms (${P.latencyLines} lines), one subscriber.`, "");
    head(["server", "p50 ms", "p99 ms", "max ms", "every line"]);
    for (const k of KINDS) { const l = R.latency[k]; if (l) row([k, fmt(l.p50, 2), fmt(l.p99, 2), fmt(l.max, 1), l.ok ? "yes" : "**no**"]); }
    L.push("");
  }
  if (Object.keys(R.startup).length) {
    L.push(`**Start-up**: process start to the first \`200\` from \`GET /healthz\` (polled every 5 ms), median of ${P.startups} starts; then POST \`echo hi\` and open its stream: time to the first output event (first request after start, median of ${P.startups}; warm: median of ${P.warmPosts} more).`, "");
    head(["server", "start to /healthz, ms", "POST → first event, first request, ms", "POST → first event, warm, ms"]);
    for (const k of KINDS) { const s = R.startup[k]; if (s) row([k, fmt(s.healthMs, 0), fmt(s.coldFirstEventMs, 0), fmt(s.warmFirstEventMs, 1)]); }
    L.push("");
  }
  if (R.loadgen.evps) {
    const lg = R.loadgen;
    L.push(`**The clients on their own**, against \`bench/loadgen/source.js\`, a trivial SSE source on the same cores (medians of ${P.loadgenRuns} run${P.loadgenRuns === 1 ? "" : "s"}; the second clients' of ${Math.min(P.crossRuns, P.loadgenRuns)}): ` +
      `many subscribers: the load generator (\`bench/loadgen/\`: Node.js, raw sockets, worker threads, incremental SSE parsing) ${fmt(lg.evps / 1000, 0)}k events/s parsed and checked over ${lg.subs} subscribers (CPU ${fmt(lg.evCpuPct, 0)} % of a core), ` +
      `the Java client (${JAVA_IO === "nio" ? "non-blocking sockets" : "\`HttpClient\`"}) ${fmt(lg.javaEvps / 1000, 0)}k events/s (CPU ${fmt(lg.javaEvCpuPct, 0)} %); ` +
      `one connection with 64 KiB events: the Java socket reader ${ceiling(lg.javaMbps, lg.javaMbSourceCpuPct)} MB/s (its CPU ${fmt(lg.javaMbCpuPct, 0)} %, the source's ${fmt(lg.javaMbSourceCpuPct, 0)} %), ` +
      `curl ${ceiling(lg.curlMbps, lg.curlSourceCpuPct)} MB/s (CPU ${fmt(lg.curlCpuPct, 0)} %, the source's ${fmt(lg.curlSourceCpuPct, 0)} %), the load generator ${ceiling(lg.mbps, lg.mbSourceCpuPct)} MB/s (CPU ${fmt(lg.mbCpuPct, 0)} %). ` +
      `"≥": the source used most of a core, so the client may go faster. ` +
      `Those sources write many events per TCP segment; in the fan-out runs each line arrives in its own read, which costs the clients more per line (the fan-out table gives their CPU per run). ` +
      (PIN ? `The server and its generator run on CPU ${PIN.server}, the clients on CPU ${PIN.clients}: where the server's CPU is near 100 % the server is what saturates; where a client's CPU nears 100 % per thread, it may be the limit.`
        : `The clients, the server and the generator share the same ${os.cpus().length} cores (and other builds): where the server's CPU is near ${100 * os.cpus().length} % the server is what saturates; where a client's CPU nears 100 % per thread, it may be the limit.`), "");
  }
  const warned = LOGS.filter((l) => l.warnings > 0);
  L.push(`**Server logs**: ${LOGS.length} server runs; ` + (warned.length === 0 ? "no warning or error line in any of them." :
    `warning or error lines in ${warned.length}: ` + warned.map((l) => `${l.kind} ${l.scenario}: ${l.warnings} (first: \`${(l.samples[0] || "").slice(0, 160).replace(/`/g, "'")}\`)`).join("; ") + "."), "");
  return L.join("\n");
}

function writeReport(text) {
  const begin = "<!-- bench/run.sh: begin (generated; edit bench/bench.js instead) -->", end = "<!-- bench/run.sh: end -->";
  let target;
  if (flag("--no-write")) target = path.join(WORK, "BENCHMARKS.md");
  else target = path.resolve(opt("--out", path.join(ROOT, "BENCHMARKS.md")));
  const src = fs.existsSync(path.join(ROOT, "BENCHMARKS.md")) ? fs.readFileSync(path.join(ROOT, "BENCHMARKS.md"), "utf8") : "";
  const intro = ["# Benchmarks", "",
    "`bash bench/run.sh` builds what is missing (the server jar, the JAX-RS server's jar, the peer's node_modules), runs every",
    "scenario against execstream's standalone server (its Grizzly fast path), against the same API through `ExecStreamFeature` on",
    "Jersey's Grizzly container (`bench/jaxrs-server/`: the portable JAX-RS path) and against a peer written on",
    "[better-sse](https://github.com/MatthewWid/better-sse) (`bench/peers/better-sse/`: the same endpoints, event format, history",
    "replay and `Last-Event-ID` resume), and rewrites the section below. `--quick` is the CI variant (small sizes, the fast path",
    "and the peer, under 3.5 minutes, non-zero exit when a scenario breaks); `--no-write` writes to a temp file instead of this one;",
    "`EXECSTREAM_JAR=path` and `EXECSTREAM_JAXRS_JAR=path` pick the jars. The clients are `bench/loadgen/` (Node.js,",
    "asynchronous, raw sockets) and `bench/loadgen/java/SseBench.java` (non-blocking sockets, or the JDK's HttpClient, and a plain-socket reader for",
    "throughput), with curl; each is measured alone (bench/README.md: honest limits).", ""].join("\n");
  let out;
  const section = `${begin}\n${text}\n${end}\n`;
  const i = src.indexOf(begin), j = src.indexOf(end);
  if (i >= 0 && j > i) out = src.slice(0, i) + section + src.slice(j + end.length + 1);
  else {
    // first run: the intro and this section first, then what was there (the Redis publisher's figures)
    const rest = src.replace(/^# Benchmarks\s*\n/, "").replace(/^\s+/, "");
    out = intro + "\n" + section + (rest ? "\n" + rest : "");
  }
  fs.writeFileSync(target, out);
  return target;
}

// ------------------------------------------------------------------------------------- main
async function main() {
  if (!fs.existsSync(JAR)) throw new Error(`no jar at ${JAR_GIVEN}: run bench/run.sh, or set EXECSTREAM_JAR`);
  if (KINDS.includes("execstream-jaxrs") && !fs.existsSync(JAXRS_JAR))
    throw new Error(`no JAX-RS server jar at ${JAXRS_JAR_GIVEN}: run bench/run.sh, or set EXECSTREAM_JAXRS_JAR`);
  for (const [kind, j] of Object.entries(PEER_JARS)) if (KINDS.includes(kind) && !j.info) throw new Error(`no ${kind} jar at ${j.given}: run bench/run.sh`);
  const startedAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const m = machine();
  log(`${QUICK ? "quick" : "full"} run; servers ${KINDS.join(", ")}; jar ${JAR_INFO}${KINDS.includes("execstream-jaxrs") ? `; JAX-RS jar ${JAXRS_JAR_INFO}` : ""}; ${m.cores} cores, load ${m.load}; work dir ${WORK}`);
  const step = async (name, fn) => {
    const c0 = cpuTimes();
    try { await fn(); } catch (e) { problems.push(`${name}: ${e.message}`); log(`${name}: ${e.message}`); }
    const c1 = cpuTimes();
    if (c0 && c1 && c1.total > c0.total) STEAL.push([name, 100 * (c1.steal - c0.steal) / (c1.total - c0.total)]);
  };
  if (want("loadgen")) await step("loadgen", scenarioLoadgen);
  if (want("startup")) await step("startup", scenarioStartup);
  if (want("latency")) await step("latency", scenarioLatency);
  if (want("throughput")) await step("throughput", scenarioThroughput);
  for (const n of P.fanoutSubs) if (want("fanout")) await step(`fan-out ${n}`, () => scenarioFanout(n));
  if (want("many-streams")) await step("many-streams", scenarioManyStreams);
  if (wantFanout10k()) await step(`fan-out ${P.fanout10k.subs}`, () => scenarioFanout(P.fanout10k.subs, P.fanout10k));
  if (want("idle")) await step("idle", scenarioIdle);
  const text = report(m, startedAt, (Date.now() - T0) / 60000);
  const target = writeReport(text);
  fs.writeFileSync(path.join(WORK, "results.json"), JSON.stringify({ R, STEAL, problems, P }, null, 1));
  process.stdout.write(text + "\n");
  log(`report written to ${target}; raw results in ${path.join(WORK, "results.json")}`);
  if (problems.length) { log(`BROKEN: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`); return 1; }
  return 0;
}

main().then((code) => { cleanup(); process.exit(code); }, (e) => { log("fatal: " + (e.stack || e)); cleanup(); process.exit(1); });
