#!/usr/bin/env node
"use strict";
// The benchmarks' load generator: N asynchronous SSE subscribers on raw sockets, spread over
// worker threads, parsing incrementally. Prints one JSON object (the results) on stdout.
//
//   node loadgen.js --base http://127.0.0.1:P --key K --mode M [options]
//
// Modes
//   lines   : the stream's lines are "<send time, epoch ms> <seq>" (bench/loadgen/gen.js); each
//             subscriber must receive seq 1..--expect-lines in order, then done; latency = receipt - send.
//   bytes   : count content bytes (UTF-8) per subscriber; must equal --expect-bytes, then done.
//   idle    : connect, print {"phase":"connected"}, wait for "close" on stdin (at most --hold-s),
//             count keepalive comments, verify no connection dropped.
// The stream: --command CMD (POSTed to /projects/<--project>/commands first; the POST -> done time
// is reported; --post-base URL POSTs it to another server than the one subscribed to, as for two
// nodes sharing one publisher) or --path PATH (an existing stream URL). --streams S with --command: S
// commands, and subscriber i follows stream i mod S (each stream's subscribers get the same lines);
// "{i}" in CMD is replaced by the command's number, 0 to S - 1.
// --go-file F is created once every subscriber has its response head (gen.js waits for it before
// its first line).
const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const fs = require("node:fs");
const { SseClient, nowMs } = require("./sse.js");

function parseArgs(argv) {
  const o = { base: "http://127.0.0.1:8080", key: "", mode: "lines", subs: 1, workers: 1, project: "bench", command: null,
    postBase: null, path: null, streams: 1, expectLines: 0, expectBytes: -1, goFile: null, timeoutS: 300, holdS: 600, concurrency: 256, latency: true };
  const map = { "--base": "base", "--key": "key", "--mode": "mode", "--subs": "subs", "--workers": "workers",
    "--project": "project", "--command": "command", "--post-base": "postBase", "--path": "path", "--streams": "streams", "--expect-lines": "expectLines",
    "--expect-bytes": "expectBytes", "--go-file": "goFile", "--timeout-s": "timeoutS", "--hold-s": "holdS",
    "--concurrency": "concurrency" };
  for (let i = 0; i < argv.length; i += 2) {
    const k = map[argv[i]];
    if (!k) { console.error("unknown argument " + argv[i]); process.exit(2); }
    o[k] = typeof o[k] === "number" ? Number(argv[i + 1]) : argv[i + 1];
  }
  return o;
}

function post(base, key, project, command) {
  return new Promise((resolve, reject) => {
    const u = new URL(`/projects/${project}/commands`, base);
    const body = JSON.stringify({ command });
    const req = http.request(u, { method: "POST", agent: false, headers: { "X-API-Key": key, "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(body) } }, (res) => {
      let t = ""; res.setEncoding("utf8"); res.on("data", (c) => t += c);
      res.on("end", () => res.statusCode === 202 ? resolve(JSON.parse(t)) : reject(new Error(`POST ${res.statusCode} ${t}`)));
    });
    req.on("error", reject);
    req.setTimeout(30000, () => req.destroy(new Error("POST timed out")));
    req.end(body);
  });
}

// ---------------------------------------------------------------- worker: a share of the subscribers
function workerMain(cfg) {
  const u = new URL(cfg.base);
  const n = cfg.n;
  const lat = cfg.mode === "lines" ? new Float64Array(Math.max(1, n * Math.max(1, cfg.expectLines))) : null;
  let latN = 0;
  const st = { subs: n, heads: 0, ok200: 0, done: 0, finished: 0, errors: 0, errorSamples: [], lines: 0, bytes: 0, events: 0,
    comments: 0, badSeq: 0, gaps: 0, dropped: 0, firstEventAt: 0, lastDoneAt: 0, doneBodies: [] };
  const err = (msg) => { st.errors++; if (st.errorSamples.length < 5) st.errorSamples.push(msg); };
  const clients = [];
  let next = 0, pending = 0, closing = false;
  const onHead = (status, c) => {
    st.heads++; pending--;
    if (status === 200) st.ok200++; else err(`HTTP ${status}`);
    if (st.heads === n) parentPort.postMessage({ type: "connected" });
    pump();
  };
  const onEvent = (name, id, data, c) => {
    st.events++;
    if (st.firstEventAt === 0) st.firstEventAt = c.now;
    if (name === "output") {
      if (cfg.mode === "lines") {
        const content = JSON.parse(data).content;
        let p = 0;
        while (p < content.length) {
          let e = content.indexOf("\n", p);
          if (e < 0) e = content.length;
          if (e > p) {
            const sp = content.indexOf(" ", p);
            const t = +content.slice(p, sp), seq = +content.slice(sp + 1, e);
            if (seq !== c.seq + 1) st.badSeq++;
            c.seq = seq; st.lines++;
            if (latN < lat.length) lat[latN++] = c.now - t;
          }
          p = e + 1;
        }
      } else if (cfg.mode === "bytes") {
        c.bytes += Buffer.byteLength(JSON.parse(data).content, "utf8");
      }
    } else if (name === "done") {
      c.gotDone = true; st.done++; st.lastDoneAt = Math.max(st.lastDoneAt, c.now);
      if (st.doneBodies.length < 1) st.doneBodies.push(data);
      c.close();
    } else if (name === "gap") { st.gaps++; err("gap " + data); }
  };
  const onComment = (text, c) => { st.comments++; if (!text.includes("connected")) c.keepalives++; };
  const onClose = (c) => {
    if (c.status !== 200 && c.status !== 0 && c.bodyText) err(`HTTP ${c.status} ${c.bodyText.slice(0, 200)}`);
    if (!c.gotDone && !closing) {
      st.dropped++; err(`closed before done${c.error ? " (" + c.error + ")" : ""} after ${c.status ? "head " + c.status : "no head"}`);
      if (c.status === 0) { st.heads++; pending--; if (st.heads === n) parentPort.postMessage({ type: "connected" }); pump(); }
    }
    if (cfg.mode === "lines" && c.gotDone && c.seq !== cfg.expectLines) err(`subscriber got ${c.seq} of ${cfg.expectLines} lines`);
    if (cfg.mode === "bytes") { st.bytes += c.bytes; if (cfg.expectBytes >= 0 && c.bytes !== cfg.expectBytes) err(`subscriber got ${c.bytes} of ${cfg.expectBytes} bytes`); }
    st.finished++;
    if (st.finished === n) finish();
  };
  function pump() {
    while (next < n && pending < cfg.concurrency) {
      const c = new SseClient({ host: u.hostname, port: +u.port, path: cfg.paths[(cfg.first + next) % cfg.paths.length], headers: { "X-API-Key": cfg.key } },
        { onHead, onEvent, onComment, onClose });
      c.seq = 0; c.bytes = 0; c.gotDone = false; c.keepalives = 0;
      clients.push(c); next++; pending++;
      c.connect();
    }
  }
  let finishedOnce = false;
  function finish() {
    if (finishedOnce) return; finishedOnce = true;
    const l = lat ? lat.slice(0, latN) : new Float64Array(0);
    parentPort.postMessage({ type: "result", st, lat: l }, [l.buffer]);
  }
  parentPort.postMessage({ type: "ready" });
  parentPort.on("message", (m) => {
    if (m.type === "start") { cfg.paths = m.paths; pump(); }
    else if (m.type === "close") { // idle mode end, or a timeout: close what is open, report
      closing = true;
      const open = clients.filter((c) => !c.closed);
      st.minKeepalives = clients.reduce((m, c) => Math.min(m, c.keepalives), Infinity);
      st.openAtClose = open.length;
      if (open.length === 0 || st.finished === n) finish();
      for (const c of open) c.close();
      setTimeout(finish, 2000);
    }
  });
}

// ---------------------------------------------------------------- main
function pct(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1));
  return sorted[i];
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + o.timeoutS * 1000;
  const out = { mode: o.mode, subs: o.subs, workers: o.workers };
  const cpu0 = process.cpuUsage();
  let postAt = 0, paths = [o.path];
  const w = Math.max(1, Math.min(o.workers, o.subs));
  const workers = [];
  let connected = 0, ready = 0, results = [];
  const allReady = new Promise((res) => { out._resReady = res; });
  const allConnected = new Promise((res) => { out._resConnected = res; });
  const allDone = new Promise((res) => { out._resDone = res; });
  for (let k = 0, first = 0; k < w; k++) {
    const n = Math.floor(o.subs / w) + (k < o.subs % w ? 1 : 0);
    const wk = new Worker(__filename, { workerData: { ...o, n, first } }); // first: the index of its first subscriber
    first += n;
    wk.on("message", (m) => {
      if (m.type === "ready") { if (++ready === w) out._resReady(); }
      else if (m.type === "connected") { if (++connected === w) out._resConnected(); }
      else if (m.type === "result") { results.push(m); if (results.length === w) out._resDone(); }
    });
    wk.on("error", (e) => { console.error("worker error", e); process.exitCode = 3; });
    workers.push(wk);
  }
  await allReady; // threads up before the POST, so that the POST -> done time has no thread start-up in it
  if (o.command) {
    postAt = nowMs();
    paths = [];
    // {i} in the command is the stream's number (0 .. streams - 1), for a per-stream input (fifo-gen.js)
    for (let i = 0; i < Math.max(1, o.streams); i++) paths.push((await post(o.postBase || o.base, o.key, o.project, o.command.replaceAll("{i}", String(i)))).stream_url);
    out.postMs = nowMs() - postAt;
  }
  const tStart = nowMs();
  workers.forEach((wk) => wk.postMessage({ type: "start", paths }));
  const timeout = (ms) => new Promise((res) => setTimeout(() => res("timeout"), Math.max(0, ms)));
  const c1 = await Promise.race([allConnected, timeout(deadline - Date.now())]);
  out.connectMs = nowMs() - tStart;
  out.connectTimedOut = c1 === "timeout";
  const goAt = nowMs();
  const cpuGo = process.cpuUsage();
  if (o.goFile) fs.writeFileSync(o.goFile, "go\n");
  process.stdout.write(JSON.stringify({ phase: "connected", connectMs: out.connectMs }) + "\n");
  if (o.mode === "idle") {
    await Promise.race([new Promise((res) => {
      let t = ""; process.stdin.setEncoding("utf8");
      process.stdin.on("data", (c) => { t += c; if (t.includes("close")) res(); });
      process.stdin.on("end", res);
    }), timeout(o.holdS * 1000), allDone]);
    workers.forEach((wk) => wk.postMessage({ type: "close" }));
    await Promise.race([allDone, timeout(10000)]);
  } else {
    const r = await Promise.race([allDone, timeout(deadline - Date.now())]);
    if (r === "timeout") {
      out.timedOut = true;
      workers.forEach((wk) => wk.postMessage({ type: "close" }));
      await Promise.race([allDone, timeout(5000)]);
    }
  }
  const endAt = nowMs();
  const cpuEnd = process.cpuUsage(cpuGo);
  const agg = { heads: 0, ok200: 0, done: 0, errors: 0, errorSamples: [], lines: 0, bytes: 0, events: 0, comments: 0, badSeq: 0,
    gaps: 0, dropped: 0, openAtClose: 0, firstEventAt: Infinity, lastDoneAt: 0, doneBodies: [] };
  let lats = [];
  out.minKeepalives = results.reduce((m, r) => Math.min(m, r.st.minKeepalives ?? Infinity), Infinity);
  if (out.minKeepalives === Infinity) out.minKeepalives = null;
  for (const r of results) {
    for (const k of ["heads", "ok200", "done", "errors", "lines", "bytes", "events", "comments", "badSeq", "gaps", "dropped", "openAtClose"]) agg[k] += r.st[k] || 0;
    agg.errorSamples.push(...r.st.errorSamples);
    agg.doneBodies.push(...r.st.doneBodies);
    if (r.st.firstEventAt) agg.firstEventAt = Math.min(agg.firstEventAt, r.st.firstEventAt);
    agg.lastDoneAt = Math.max(agg.lastDoneAt, r.st.lastDoneAt);
    lats.push(r.lat);
  }
  if (results.length < w) { agg.errors++; agg.errorSamples.push(`${w - results.length} worker(s) did not report`); }
  const all = new Float64Array(lats.reduce((a, l) => a + l.length, 0));
  let off = 0; for (const l of lats) { all.set(l, off); off += l.length; }
  all.sort();
  Object.assign(out, agg);
  delete out._resConnected; delete out._resDone; delete out._resReady;
  out.errorSamples = agg.errorSamples.slice(0, 5);
  out.doneBody = agg.doneBodies[0] || null;
  delete out.doneBodies;
  if (all.length) { out.latP50 = pct(all, 50); out.latP99 = pct(all, 99); out.latMax = all[all.length - 1]; out.latN = all.length; }
  out.runMs = endAt - goAt;
  out.totalMs = endAt - tStart; // from the first connect to the end
  if (postAt) { out.postToDoneMs = agg.lastDoneAt - postAt; out.postToFirstEventMs = agg.firstEventAt - postAt; }
  out.cpuMs = (cpuEnd.user + cpuEnd.system) / 1000; // over the measured phase (after every head)
  const cpuAll = process.cpuUsage(cpu0);
  out.cpuTotalMs = (cpuAll.user + cpuAll.system) / 1000;
  out.cpuPct = out.runMs > 0 ? 100 * out.cpuMs / out.runMs : 0;
  // Verdict: every subscriber connected, got everything, and the done event.
  let ok = !out.connectTimedOut && !out.timedOut && out.errors === 0 && out.ok200 === o.subs;
  if (o.mode !== "idle") ok = ok && out.done === o.subs && out.gaps === 0 && out.badSeq === 0;
  if (o.mode === "lines") ok = ok && out.lines === o.subs * o.expectLines;
  if (o.mode === "idle") ok = ok && out.dropped === 0 && out.openAtClose === o.subs && out.minKeepalives >= 1;
  out.ok = ok;
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(0);
}

if (isMainThread) main().catch((e) => { process.stdout.write(JSON.stringify({ ok: false, fatal: String(e && e.stack || e) }) + "\n"); process.exit(1); });
else workerMain(workerData);
