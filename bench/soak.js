#!/usr/bin/env node
// The soak scenario: one execstream server for --minutes (10 by default) under churn. Commands start
// and end all the time (some exit, some are cancelled, some time out) while --subs subscribers (500)
// connect to a running stream, read for a while, drop the connection abruptly (half with a TCP
// reset, half with a plain close) and reconnect with Last-Event-ID.
//
// It samples the server's heap after a full GC (jcmd GC.run + GC.heap_info), its open descriptors
// (/proc/PID/fd) and its threads (/proc/PID/status) four times: idle before the load, under load at
// the start (after a warm-up) and at the end, and idle again once the load has stopped and the
// keepalives have found every dropped client. It passes when the figures are flat (tolerances below)
// and no subscriber ever saw an event twice or out of order after a resume.
//
//   bash bench/run.sh --soak [--minutes N] [--subs N] [--write]
//   node bench/soak.js --jar server-jersey/target/execstream-server.jar [--minutes N] [--subs N] [--write]
//
// --write puts the report into BENCHMARKS.md between the soak markers (its own section, outside the
// section bench/run.sh generates); without it the report goes to stdout only. Exit status 1 when not flat.
"use strict";
const fs = require("fs");
const os = require("os");
const net = require("net");
const path = require("path");
const { freePort, request: keyedRequest } = require("./lib/http");
const { spawn, spawnSync } = require("child_process");

const ROOT = path.resolve(__dirname, "..");
const argv = process.argv.slice(2);
const flag = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const P = {
  jar: flag("--jar") && path.resolve(flag("--jar")),
  minutes: Number(flag("--minutes", "10")),
  subs: Number(flag("--subs", "500")),
  running: Number(flag("--running", "16")),
  write: argv.includes("--write"),
};
// Flat: idle after the load against idle before it; heap under load at the end against at the start.
const TOLERANCE = { heapMB: 16, heapRatio: 0.25, fds: 16, threads: 8 };
if (!P.jar || !(P.minutes > 0) || !(P.subs > 0)) {
  console.error("usage: node bench/soak.js --jar JAR [--minutes N] [--subs N] [--running N] [--write]");
  process.exit(2);
}

const T0 = Date.now();
const KEY = "soak-" + Math.random().toString(36).slice(2);
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "execstream-soak-"));
const log = (...a) => process.stderr.write(`[soak ${((Date.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${a.join(" ")}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rand = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1));
let server = null;
process.on("exit", () => { if (server && server.exitCode === null) server.kill("SIGKILL"); });
process.on("SIGINT", () => process.exit(130));

// ------------------------------------------------------------------------------------- server
const request = (port, method, p, body, timeoutMs) => keyedRequest(KEY, port, method, p, body, timeoutMs);
const SERVER_ARGS = ["--keepalive", "1s", "--retention", "30s", "--max-history", "256KB", "--history-budget", "32MB", "--kill-grace", "1s"];
async function startServer() {
  fs.writeFileSync(path.join(WORK, "keys"), KEY + "\n");
  const port = await freePort();
  const proc = spawn("java", ["-jar", P.jar, "serve", "--port", String(port), "--api-keys-file", path.join(WORK, "keys"),
    "--workspace-root", path.join(WORK, "ws"), ...SERVER_ARGS], { cwd: WORK, stdio: ["ignore", "ignore", fs.openSync(path.join(WORK, "server.log"), "w")] });
  for (let i = 0; i < 600; i++) {
    try { if ((await request(port, "GET", "/healthz")).status === 200) return { proc, port, pid: proc.pid }; } catch { }
    await sleep(50);
  }
  throw new Error("the server did not answer /healthz within 30 s; see " + path.join(WORK, "server.log"));
}
function jcmd(pid, what) { return spawnSync("jcmd", [String(pid), what], { timeout: 60000, encoding: "utf8" }).stdout || ""; }
// Thread names with their numbers cut off ("grizzly-http-server-3" -> "grizzly-http-server-#"), counted.
function threadGroups(pid) {
  const groups = {};
  for (const m of jcmd(pid, "Thread.print").matchAll(/^"([^"]+)"/gm)) {
    const name = m[1].replace(/\d+/g, "#");
    groups[name] = (groups[name] || 0) + 1;
  }
  return groups;
}
function threadDiff(before, after) {
  return Object.keys({ ...before, ...after }).filter((k) => (after[k] || 0) !== (before[k] || 0))
    .map((k) => `${k} ${before[k] || 0}->${after[k] || 0}`).join(", ");
}
function sample(s, label) {
  jcmd(s.pid, "GC.run");
  const heap = /used (\d+)K/.exec(jcmd(s.pid, "GC.heap_info"));
  const status = fs.readFileSync(`/proc/${s.pid}/status`, "utf8");
  const r = {
    label, atS: Math.round((Date.now() - T0) / 1000),
    heapMB: heap ? Number(heap[1]) / 1024 : null,
    fds: fs.readdirSync(`/proc/${s.pid}/fd`).length,
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)[1]),
    rssMB: Number(/^VmRSS:\s+(\d+)/m.exec(status)[1]) / 1024,
    subscribers: live.size, running: running.size,
    pools: threadGroups(s.pid),
  };
  log(`${label}: heap ${r.heapMB.toFixed(1)} MB after GC, ${r.fds} descriptors, ${r.threads} threads, RSS ${r.rssMB.toFixed(0)} MB` +
    ` (${r.subscribers} subscribers connected, ${r.running} commands running)`);
  return r;
}

// ------------------------------------------------------------------------------------- commands
const running = new Map(); // stream id -> { project }
const stats = { started: 0, exited: 0, cancelled: 0, timedOut: 0, failed: 0, rejected: 0, connects: 0, resets: 0, closes: 0,
  events: 0, gaps: 0, dones: 0, duplicates: 0, outOfOrder: 0, refused: 0 };
let stopping = false;
async function commandLoop(s, slot) {
  while (!stopping) {
    // 1 to 8 s of output, a line every 20 ms; one in ten is cancelled, one in ten times out.
    const lines = rand(50, 400);
    const kind = Math.random();
    const body = { command: `for i in $(seq 1 ${lines}); do echo "slot ${slot} line $i"; sleep 0.02; done` };
    if (kind < 0.1) body.timeout_ms = rand(500, 3000);
    const project = `soak-${slot % 8}`;
    let r;
    try { r = await request(s.port, "POST", `/projects/${project}/commands`, body); } catch { r = { status: 0 }; }
    if (r.status !== 202) { stats.rejected++; await sleep(200); continue; }
    stats.started++;
    const id = JSON.parse(r.body).stream_id;
    running.set(id, { project });
    const cancelAfter = kind > 0.9 ? rand(200, 3000) : null;
    const t0 = Date.now();
    let status = "running";
    while (status === "running") {
      await sleep(250);
      if (cancelAfter !== null && Date.now() - t0 > cancelAfter) {
        await request(s.port, "POST", `/projects/${project}/streams/${id}/cancel`).catch(() => { });
      }
      try { status = JSON.parse((await request(s.port, "GET", `/projects/${project}/streams/${id}`)).body).status; } catch { status = "gone"; }
    }
    running.delete(id);
    if (status === "exited") stats.exited++; else if (status === "cancelled") stats.cancelled++;
    else if (status === "timed_out") stats.timedOut++; else stats.failed++;
  }
}

// ------------------------------------------------------------------------------------- subscribers
const live = new Set();
// One subscriber: follows a stream over a raw socket for a while, drops it abruptly, resumes with
// Last-Event-ID; checks that ids only increase across resumes (no event twice, none out of order).
async function subscriberLoop(s, n) {
  let follow = null; // { id, project, last }
  while (!stopping) {
    if (!follow || !running.has(follow.id)) {
      const ids = [...running.entries()];
      if (!ids.length) { await sleep(200); continue; }
      const [id, { project }] = ids[rand(0, ids.length - 1)];
      follow = { id, project, last: null };
    }
    await followOnce(s, follow, rand(300, 5000));
    await sleep(rand(10, 500));
  }
}
function followOnce(s, follow, forMs) {
  return new Promise((resolve) => {
    const sock = net.connect(s.port, "127.0.0.1");
    live.add(sock);
    stats.connects++;
    let buf = "", body = "", chunked = false, chunkLeft = -1, headersDone = false, ended = false, statusLine = null;
    const finish = (abrupt) => {
      if (ended) return; ended = true; clearTimeout(timer); live.delete(sock);
      if (abrupt && Math.random() < 0.5) { stats.resets++; sock.resetAndDestroy(); } else { stats.closes++; sock.destroy(); }
      resolve();
    };
    const timer = setTimeout(() => finish(true), forMs);
    sock.setEncoding("latin1");
    sock.on("connect", () => sock.write(`GET /projects/${follow.project}/events/${follow.id} HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEY}\r\n` +
      `Accept: text/event-stream\r\n${follow.last ? `Last-Event-ID: ${follow.last}\r\n` : ""}\r\n`));
    sock.on("data", (chunk) => {
      buf += chunk;
      if (!headersDone) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        statusLine = buf.slice(0, buf.indexOf("\r\n"));
        chunked = /\r\ntransfer-encoding: *chunked/i.test(buf.slice(0, end));
        headersDone = true; buf = buf.slice(end + 4);
        if (!statusLine.includes(" 200 ")) { stats.refused++; follow.id = null; return finish(false); }
      }
      // Undo the chunked framing, then read the "id:" and "event:" lines.
      if (!chunked) { body += buf; buf = ""; }
      while (chunked && buf.length) {
        if (chunkLeft === -2) { // the CRLF after a chunk's data
          if (buf.length < 2) break;
          buf = buf.slice(2); chunkLeft = -1;
        } else if (chunkLeft === -1) { // a chunk's size line
          const eol = buf.indexOf("\r\n");
          if (eol < 0) break;
          chunkLeft = parseInt(buf.slice(0, eol), 16); buf = buf.slice(eol + 2);
          if (chunkLeft === 0) { chunked = false; buf = ""; }
        } else {
          const take = Math.min(chunkLeft, buf.length);
          body += buf.slice(0, take); buf = buf.slice(take); chunkLeft -= take;
          if (chunkLeft === 0) chunkLeft = -2;
        }
      }
      let nl;
      while ((nl = body.indexOf("\n")) >= 0) {
        const line = body.slice(0, nl).replace(/\r$/, ""); body = body.slice(nl + 1);
        if (line.startsWith("event: ")) {
          const type = line.slice(7);
          stats.events++;
          if (type === "gap") stats.gaps++;
          if (type === "done") { stats.dones++; follow.id = null; }
        } else if (line.startsWith("id: ")) {
          const id = line.slice(4);
          if (follow.last !== null) {
            const a = BigInt(follow.last), b = BigInt(id);
            if (b === a) stats.duplicates++; else if (b < a) stats.outOfOrder++;
          }
          follow.last = id;
        }
      }
    });
    sock.on("error", () => finish(false));
    sock.on("close", () => finish(false));
  });
}

// ------------------------------------------------------------------------------------- report
function flat(before, after, heapRatio) {
  const heapLimit = Math.max(before.heapMB * (1 + heapRatio), before.heapMB + TOLERANCE.heapMB);
  return { heap: after.heapMB <= heapLimit, fds: after.fds <= before.fds + TOLERANCE.fds, threads: after.threads <= before.threads + TOLERANCE.threads };
}
function report(samples, verdict, minutes) {
  const row = (s) => `| ${s.label} | ${s.atS} | ${s.heapMB.toFixed(1)} | ${s.fds} | ${s.threads} | ${s.rssMB.toFixed(0)} | ${s.subscribers} | ${s.running} |`;
  const cpu = (fs.readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) || [])[1] || os.arch();
  const java = (spawnSync("java", ["-version"], { encoding: "utf8" }).stderr || "").split("\n")[0];
  return [
    `## Soak: ${minutes} minutes under churn (${new Date().toISOString().replace(/\.\d+Z$/, "Z")})`, "",
    `Machine: ${os.cpus().length} cores (${cpu.trim()}), Linux ${os.release()}; ${java}. Load average at the start: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}.`,
    `Server: \`java -jar execstream-server.jar serve ${SERVER_ARGS.join(" ")}\`.`, "",
    `Load: ${P.subs} subscribers, each following a running stream over a raw socket for 0.3-5 s, dropping it (half with a TCP reset, ` +
    `half with a close) and resuming with \`Last-Event-ID\`; ${P.running} command slots, each starting the next command when the last ends ` +
    `(1-8 s of output at 50 lines/s; one in ten cancelled, one in ten with a 0.5-3 s timeout).`, "",
    "| sample | at s | heap MB after full GC | descriptors | threads | RSS MB | subscribers connected | commands running |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...samples.map(row), "",
    `Over the run: ${stats.started} commands (${stats.exited} exited, ${stats.cancelled} cancelled, ${stats.timedOut} timed out, ${stats.failed} failed, ` +
    `${stats.rejected} refused), ${stats.connects} subscriber connections (${stats.resets} dropped with a reset, ${stats.closes} closed), ` +
    `${stats.events} events received, ${stats.gaps} gap events, ${stats.dones} done events; ` +
    `${stats.duplicates} events seen twice and ${stats.outOfOrder} out of order after a resume.`, "",
    `Flat means: idle after the load within ${TOLERANCE.fds} descriptors and ${TOLERANCE.threads} threads of idle before it, and heap after a ` +
    `full GC within +${TOLERANCE.heapRatio * 100} % or +${TOLERANCE.heapMB} MB (whichever is larger), idle against idle and under load at the end ` +
    `against under load at the start. **Result: ${verdict}.**`, "",
    `\`bash bench/run.sh --soak --minutes ${minutes} --write\` (${minutes === 10 ? "the full soak" : "the full soak is `--minutes 10`, the default"}).`, "",
  ].join("\n");
}
function writeSection(text) {
  const file = path.join(ROOT, "BENCHMARKS.md");
  const begin = "<!-- bench/soak.js: begin (generated) -->", end = "<!-- bench/soak.js: end -->";
  const old = fs.readFileSync(file, "utf8");
  const section = `${begin}\n${text}${end}\n`;
  const i = old.indexOf(begin), j = old.indexOf(end);
  fs.writeFileSync(file, i >= 0 && j > i ? old.slice(0, i) + section + old.slice(j + end.length + 1) : old.trimEnd() + "\n\n" + section);
  log(`wrote the soak section of ${file}`);
}

// ------------------------------------------------------------------------------------- main
async function main() {
  log(`soak for ${P.minutes} min: ${P.subs} subscribers, ${P.running} command slots; work dir ${WORK}`);
  const s = await startServer();
  server = s.proc;
  jcmd(s.pid, "GC.heap_info"); // the attach listener thread belongs in every sample
  await sleep(2000);
  const samples = [sample(s, "idle, before")];
  const loops = [];
  for (let i = 0; i < P.running; i++) loops.push(commandLoop(s, i));
  for (let i = 0; i < P.subs; i++) loops.push(subscriberLoop(s, i));
  const warmUp = Math.min(60, P.minutes * 60 / 5) * 1000;
  await sleep(warmUp);
  samples.push(sample(s, "under load, start"));
  const end = T0 + P.minutes * 60 * 1000;
  while (Date.now() < end - 30000) {
    await sleep(Math.min(60000, end - 30000 - Date.now()));
    if (Date.now() < end - 30000) log(`${stats.started} commands, ${stats.connects} connections, ${live.size} connected, ${running.size} running`);
  }
  samples.push(sample(s, "under load, end"));
  stopping = true;
  for (const sock of live) sock.resetAndDestroy();
  await Promise.all(loops);
  // The keepalives (1 s) find the dropped clients at once; idle pool threads end after their
  // keep-alive (60 s for the JDK's cached pools), and finished streams leave after the 30 s retention.
  await sleep(65000);
  samples.push(sample(s, "idle, after"));
  s.proc.kill("SIGTERM");
  const [idle0, load0, load1, idle1] = samples;
  const a = flat(idle0, idle1, TOLERANCE.heapRatio), b = flat(load0, load1, TOLERANCE.heapRatio);
  const ok = a.heap && a.fds && a.threads && b.heap && stats.duplicates === 0 && stats.outOfOrder === 0 && stats.started > 0;
  const verdict = ok ? "flat, pass" : `not flat, FAIL (idle: heap ${a.heap}, descriptors ${a.fds}, threads ${a.threads}; ` +
    `under load: heap ${b.heap}; duplicates ${stats.duplicates}, out of order ${stats.outOfOrder})`;
  const diff = threadDiff(idle0.pools, idle1.pools);
  const text = report(samples, verdict, P.minutes) + (diff ? `Threads by name, idle before -> idle after: ${diff}.\n\n` : "");
  process.stdout.write(text);
  if (P.write) writeSection(text);
  const warnings = fs.readFileSync(path.join(WORK, "server.log"), "utf8").split("\n").filter((l) => /WARNING|SEVERE|Exception/.test(l));
  if (warnings.length) log(`${warnings.length} warning lines in the server log, e.g.: ${warnings.slice(0, 3).join(" | ")}`);
  process.exit(ok ? 0 : 1);
}
main().catch((e) => { log("failed: " + (e.stack || e)); process.exit(2); });
