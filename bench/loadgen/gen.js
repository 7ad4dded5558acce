#!/usr/bin/env node
"use strict";
// Writes "<send time as epoch ms, 3 decimals> <seq>\n" every --interval-ms ms, --count lines, on
// absolute deadlines (no drift). With --go-file F, waits (at most --max-wait-s) until F exists.
const fs = require("node:fs");
const a = process.argv.slice(2);
const arg = (k, d) => { const i = a.indexOf(k); return i >= 0 ? a[i + 1] : d; };
const interval = Number(arg("--interval-ms", "20")), count = Number(arg("--count", "100"));
const goFile = arg("--go-file", null), maxWait = Number(arg("--max-wait-s", "120")) * 1000;
const now = () => performance.timeOrigin + performance.now();
function run() {
  const t0 = performance.now();
  let i = 1;
  const tick = () => {
    while (i <= count && performance.now() >= t0 + (i - 1) * interval) {
      fs.writeSync(1, `${now().toFixed(3)} ${i}\n`);
      i++;
    }
    if (i <= count) setTimeout(tick, Math.max(0, t0 + (i - 1) * interval - performance.now()));
  };
  tick();
}
if (goFile) {
  const start = Date.now();
  const wait = () => {
    if (fs.existsSync(goFile)) return run();
    if (Date.now() - start > maxWait) { process.stderr.write("gen: no go file\n"); process.exit(3); }
    setTimeout(wait, 2);
  };
  wait();
} else run();
