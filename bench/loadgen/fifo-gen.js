#!/usr/bin/env node
"use strict";
// gen.js's lines for many streams at once from ONE process: makes --streams named pipes
// DIR/s-0 ... DIR/s-(N-1), each read by one command (`cat DIR/s-{i}`, {i} filled in by the client),
// and writes "<send time as epoch ms, 3 decimals> <seq>\n" to every pipe every --interval-ms ms,
// --count lines each, after --go-file exists (at most --max-wait-s); then closes them, which ends
// the commands. The streams' deadlines are spread evenly over the interval (stream i starts
// i * interval / N ms after the go), as independent commands' lines would be, rather than all at
// once.
//
// Why one process: 500 generators of their own (bash loops, 10,000 wake-ups a second between
// them) took both cores of a 2-core machine by themselves, and every server's latency then
// measured the generators. This one writes 10,000 lines a second for a few per cent of a core.
//
// Each pipe is opened read-write and non-blocking: the open does not wait for its reader, and a
// reader that is slow leaves its lines queued here (written when the pipe has room), never a
// blocked generator. Prints one JSON line at the end: lines written, how far behind their deadlines
// the lines were written (p50, p99, max, in ms; the latency clients measure starts at the write, so
// this is the generator's own timeliness, not part of the figure), and whether any line had to wait
// for room.
//   node fifo-gen.js --dir DIR --streams N --interval-ms MS --count C --go-file F [--max-wait-s S]
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const a = process.argv.slice(2);
const arg = (k, d) => { const i = a.indexOf(k); return i >= 0 ? a[i + 1] : d; };
const dir = arg("--dir", null), streams = Number(arg("--streams", "1")), interval = Number(arg("--interval-ms", "50"));
const count = Number(arg("--count", "100")), goFile = arg("--go-file", null), maxWait = Number(arg("--max-wait-s", "120")) * 1000;
if (!dir || !goFile || !(streams >= 1) || !(interval > 0) || !(count >= 1)) {
  process.stderr.write("usage: node fifo-gen.js --dir DIR --streams N --interval-ms MS --count C --go-file F [--max-wait-s S]\n");
  process.exit(2);
}
const now = () => performance.timeOrigin + performance.now();
const pipes = Array.from({ length: streams }, (_, i) => path.join(dir, `s-${i}`));
fs.mkdirSync(dir, { recursive: true });
execFileSync("mkfifo", pipes);
const fds = pipes.map((p) => fs.openSync(p, fs.constants.O_RDWR | fs.constants.O_NONBLOCK));
const pending = new Array(streams).fill("");
const next = new Array(streams).fill(1);
let written = 0, maxBehindMs = 0, waitedForRoom = false;
const behind = []; // how late each line was written, ms

// Writes what stream i has waiting; keeps what the pipe has no room for.
function flush(i) {
  const buf = Buffer.from(pending[i]);
  let off = 0;
  try {
    while (off < buf.length) off += fs.writeSync(fds[i], buf, off);
  } catch (e) {
    if (e.code !== "EAGAIN") throw e;
    waitedForRoom = true;
  }
  pending[i] = buf.subarray(off).toString();
}

function run() {
  const t0 = performance.now();
  const deadline = (i, n) => t0 + (i * interval) / streams + (n - 1) * interval;
  let left = streams;
  const tick = () => {
    const t = performance.now();
    let soonest = Infinity;
    for (let i = 0; i < streams; i++) {
      if (next[i] > count) { if (pending[i]) flush(i); continue; }
      while (next[i] <= count && t >= deadline(i, next[i])) {
        behind.push(t - deadline(i, next[i]));
        maxBehindMs = Math.max(maxBehindMs, t - deadline(i, next[i]));
        pending[i] += `${now().toFixed(3)} ${next[i]}\n`;
        next[i]++;
        written++;
      }
      if (pending[i]) flush(i);
      if (next[i] <= count) soonest = Math.min(soonest, deadline(i, next[i]));
      else if (!pending[i] && fds[i] !== null) { fs.closeSync(fds[i]); fds[i] = null; left--; }
    }
    if (left > 0) setTimeout(tick, soonest === Infinity ? 5 : Math.max(0, soonest - performance.now()));
    else finish();
  };
  tick();
}

function finish() {
  for (const p of pipes) try { fs.unlinkSync(p); } catch { }
  behind.sort((x, y) => x - y);
  const q = (p) => Number((behind[Math.min(behind.length - 1, Math.floor(p * behind.length))] || 0).toFixed(2));
  process.stdout.write(JSON.stringify({ ok: true, written, behindP50Ms: q(0.5), behindP99Ms: q(0.99),
    maxBehindMs: Number(maxBehindMs.toFixed(1)), waitedForRoom }) + "\n");
}

const start = Date.now();
const wait = () => {
  if (fs.existsSync(goFile)) return run();
  if (Date.now() - start > maxWait) {
    process.stderr.write("fifo-gen: no go file\n");
    for (const p of pipes) try { fs.unlinkSync(p); } catch { }
    process.exit(3);
  }
  setTimeout(wait, 2);
};
wait();
