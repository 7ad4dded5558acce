#!/usr/bin/env node
// The benchmarks' peer: execstream's two streaming endpoints and event format, on better-sse.
//
//   POST /projects/{p}/commands   {"command": "..."} (sh -c)  -> 202 {"stream_id","stream_url","status_url"}
//   GET  /projects/{p}/events/{s} text/event-stream: history replay, Last-Event-ID resume, live fan-out
//   POST /projects/{p}/streams/{s}/cancel, GET /healthz, GET /debug/memory (heap figures for the bench)
//
// Kept fair and simple: one in-memory array of events per stream (the history, whole) and one
// better-sse Channel per stream for the live subscribers. Auth: X-API-Key (keys file: one key a
// line, '#' comments) or the stream_url's token.
//
// Finished streams are forgotten after --retention, or sooner, oldest first, when the output kept
// in all streams passes --history-budget (as execstream's flags of the same names do).
//
// Usage: node server.js --port P --api-keys-file F --workspace-root W [--keepalive 15s] [--bind 127.0.0.1]
//        [--retention 1h] [--history-budget 512MB]
"use strict";
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const { spawn } = require("node:child_process");
const { StringDecoder } = require("node:string_decoder");
const { createChannel, Session } = require("better-sse");

function parseArgs(argv) {
  const o = { port: 8080, bind: "127.0.0.1", apiKeysFile: null, workspaceRoot: "./workspaces", keepalive: "15s", retention: "1h", historyBudget: "512MB" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    if (a === "--port") { o.port = +v; i++; }
    else if (a === "--bind") { o.bind = v; i++; }
    else if (a === "--api-keys-file") { o.apiKeysFile = v; i++; }
    else if (a === "--workspace-root") { o.workspaceRoot = v; i++; }
    else if (a === "--keepalive") { o.keepalive = v; i++; }
    else if (a === "--retention") { o.retention = v; i++; }
    else if (a === "--history-budget") { o.historyBudget = v; i++; }
    else if (a === "serve") { /* same shape as execstream's command line */ }
    else { console.error("unknown argument: " + a); process.exit(2); }
  }
  return o;
}

function durationMs(s) {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(String(s));
  if (!m) throw new Error("bad duration: " + s);
  return +m[1] * ({ ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2] || "ms"]);
}

function sizeBytes(s) {
  const m = /^(\d+)(B|KB|MB|GB)?$/.exec(String(s));
  if (!m) throw new Error("bad size: " + s);
  return +m[1] * ({ B: 1, KB: 1024, MB: 1 << 20, GB: 1 << 30 }[m[2] || "B"]);
}

const opts = parseArgs(process.argv.slice(2));
const keepaliveMs = durationMs(opts.keepalive);
const retentionMs = durationMs(opts.retention);
const historyBudget = sizeBytes(opts.historyBudget);
const keys = new Set();
if (opts.apiKeysFile) {
  for (const line of fs.readFileSync(opts.apiKeysFile, "utf8").split("\n")) {
    const k = line.replace(/#.*/, "").trim().split(/\s+/)[0];
    if (k) keys.add(k);
  }
} else {
  const k = crypto.randomBytes(18).toString("base64url");
  keys.add(k);
  console.log("No --api-keys-file given: generated an API key for this run (shown only now): " + k);
}

const PROJECT = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const streams = new Map(); // stream id -> Stream
const finished = []; // finished streams still kept, oldest first
let historyBytes = 0; // output bytes kept in all streams

function forget(stream) {
  if (streams.get(stream.id) !== stream) return;
  streams.delete(stream.id);
  historyBytes -= stream.bytes;
  const i = finished.indexOf(stream);
  if (i >= 0) finished.splice(i, 1);
}
function evictOverBudget() {
  while (historyBytes > historyBudget && finished.length > 0) forget(finished[0]);
}

class Stream {
  constructor(project, id) {
    this.project = project;
    this.id = id;
    this.token = crypto.randomBytes(24).toString("base64url");
    this.events = []; // {id, name, data}; ids are 1..n, so events[i].id === String(i + 1)
    this.channel = createChannel();
    this.startedAt = Date.now();
    this.done = null;
    this.child = null;
    this.bytes = 0; // output bytes in this.events
  }
  output(type, content, bytes) {
    this.bytes += bytes;
    historyBytes += bytes;
    this.append("output", { type, content });
    evictOverBudget();
  }
  append(name, data) {
    const id = String(this.events.length + 1);
    this.events.push({ id, name, data });
    this.channel.broadcast(data, name, { eventId: id });
    return id;
  }
  finish(exitCode, status) {
    if (this.done) return;
    this.done = { exit_code: exitCode, duration_ms: Date.now() - this.startedAt, status };
    this.append("done", this.done);
    for (const s of this.channel.activeSessions) s.state.res.end(); // after done the response ends
    finished.push(this);
    evictOverBudget();
    // The timer holds the id, not the stream: a stream forgotten early, over the budget, must not
    // have its history kept reachable by its timer until the retention ends.
    const id = this.id;
    setTimeout(() => { const s = streams.get(id); if (s) forget(s); }, retentionMs).unref();
  }
}

function sendJson(res, code, body, headers = {}) {
  const b = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(b), ...headers });
  res.end(b);
}
const error = (res, code, err, message) => sendJson(res, code, { error: err, message });

function authorised(req, url, stream) {
  const k = req.headers["x-api-key"];
  if (k !== undefined && keys.has(k)) return true;
  const t = url.searchParams.get("token");
  return stream !== undefined && t !== null && t === stream.token;
}

function readBody(req, limit, cb) {
  const parts = [];
  let n = 0, over = false;
  req.on("data", (c) => { n += c.length; if (n > limit) over = true; else parts.push(c); });
  req.on("end", () => cb(over, Buffer.concat(parts).toString("utf8")));
}

function startCommand(req, res, project) {
  readBody(req, 1 << 20, (over, text) => {
    if (over) return error(res, 413, "payload_too_large", "body over 1MB");
    let body;
    try { body = JSON.parse(text); } catch { return error(res, 400, "invalid_request", "malformed JSON"); }
    if (!body || typeof body.command !== "string" || body.command.length === 0)
      return error(res, 400, "invalid_command", "command must be a non-empty string");
    const id = crypto.randomBytes(12).toString("hex");
    const stream = new Stream(project, id);
    streams.set(id, stream);
    const cwd = path.join(opts.workspaceRoot, project);
    fs.mkdirSync(cwd, { recursive: true });
    const child = spawn("sh", ["-c", body.command], { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    stream.child = child;
    let open = 2, exitCode = null, signal = null, exited = false, spawnError = null;
    const maybeFinish = () => {
      if (spawnError) return stream.finish(null, "failed");
      if (open === 0 && exited) stream.finish(exitCode !== null ? exitCode : 128 + (require("node:os").constants.signals[signal] || 0),
        stream.cancelled ? "cancelled" : "exited");
    };
    for (const type of ["stdout", "stderr"]) {
      const dec = new StringDecoder("utf8"); // a character is never split between two events
      // The bytes read stand for the history's size; the decoder holds back at most a character's.
      child[type].on("data", (buf) => { const s = dec.write(buf); if (s) stream.output(type, s, buf.length); });
      child[type].on("end", () => { const s = dec.end(); if (s) stream.output(type, s, Buffer.byteLength(s)); open--; maybeFinish(); });
    }
    child.on("error", (e) => { spawnError = e; maybeFinish(); });
    child.on("exit", (code, sig) => { exitCode = code; signal = sig; exited = true; maybeFinish(); });
    const streamUrl = `/projects/${project}/events/${id}?token=${stream.token}`;
    sendJson(res, 202, { stream_id: id, stream_url: streamUrl, status_url: `/projects/${project}/streams/${id}` },
      { Location: `/projects/${project}/streams/${id}` });
  });
}

function follow(req, res, stream, url) {
  const last = req.headers["last-event-id"] ?? url.searchParams.get("last_event_id");
  let from = 0; // index of the first event to send
  if (last !== undefined && last !== null) {
    const n = Number(last);
    if (!Number.isInteger(n) || n < 0 || n > stream.events.length) return error(res, 400, "invalid_request", "bad Last-Event-ID");
    if (stream.done && n === stream.events.length) { res.writeHead(204); return res.end(); }
    from = n;
  }
  const session = new Session(req, res, { keepAlive: keepaliveMs, retry: 2000, trustClientEventId: false,
    headers: { "Cache-Control": "no-cache" }, state: { res } });
  session.once("connected", () => {
    // Same tick as the registration: no event can slip between the replay and the live feed.
    for (let i = from; i < stream.events.length; i++) {
      const e = stream.events[i];
      session.push(e.data, e.name, e.id);
    }
    if (stream.done) return res.end();
    stream.channel.register(session);
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  const p = url.pathname.split("/");
  if (url.pathname === "/healthz") return sendJson(res, 200, { status: "ok" });
  if (url.pathname === "/debug/memory" && keys.has(req.headers["x-api-key"])) {
    if (url.searchParams.has("gc") && global.gc) global.gc();
    return sendJson(res, 200, process.memoryUsage());
  }
  if (p[1] !== "projects" || p.length < 4) return error(res, 404, "not_found", "no such path");
  const project = p[2];
  if (!PROJECT.test(project)) return error(res, 400, "invalid_project_id", "bad project id");
  if (p[3] === "commands" && p.length === 4) {
    if (req.method !== "POST") return error(res, 405, "method_not_allowed", "POST only");
    if (!authorised(req, url)) return error(res, 401, "unauthorized", "no or unknown key");
    return startCommand(req, res, project);
  }
  const stream = streams.get(p[4]);
  if (p[3] === "events" && p.length === 5 && req.method === "GET") {
    if (!authorised(req, url, stream)) return error(res, 401, "unauthorized", "no or unknown key");
    if (!stream || stream.project !== project) return error(res, 404, "not_found", "no such stream");
    return follow(req, res, stream, url);
  }
  if (p[3] === "streams" && p.length === 6 && p[5] === "cancel" && req.method === "POST") {
    if (!authorised(req, url)) return error(res, 401, "unauthorized", "no or unknown key");
    if (!stream || stream.project !== project) return error(res, 404, "not_found", "no such stream");
    if (!stream.done && stream.child) {
      stream.cancelled = true;
      try { process.kill(-stream.child.pid, "SIGTERM"); } catch { /* already gone */ }
    }
    return sendJson(res, 202, { stream_id: stream.id, status: stream.done ? stream.done.status : "running" });
  }
  return error(res, 404, "not_found", "no such path");
});
server.keepAliveTimeout = 5000;
server.headersTimeout = 10000;
server.requestTimeout = 0; // event streams are long
server.maxConnections = 100000;
server.listen(opts.port, opts.bind, () => {
  console.log(`better-sse peer listening on http://${opts.bind}:${server.address().port}/`);
});
function shutdown() {
  for (const s of streams.values()) if (!s.done && s.child) { try { process.kill(-s.child.pid, "SIGTERM"); } catch { } }
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
