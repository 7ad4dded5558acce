#!/usr/bin/env node
"use strict";
// A trivial SSE source to measure the load generator on its own: GET /?events=E&size=S writes E
// output events in execstream's format as fast as the client reads them (with backpressure), in
// batches, then a done event. size=0 makes "lines" events ("<epoch ms> <seq>\n", ~24 B of content),
// otherwise each event carries S bytes of 'a', from one batch of events built once and written again
// and again (no id lines: the clients' byte counts ignore them), so that the source is not what limits
// a fast client.
// Usage: node source.js --port P   (prints "listening <port>")
const http = require("node:http");
const a = process.argv.slice(2);
const port = Number(a[a.indexOf("--port") + 1] || 0);
const now = () => performance.timeOrigin + performance.now();
const server = http.createServer((req, res) => {
  const u = new URL(req.url, "http://x");
  const events = Number(u.searchParams.get("events") || 1000), size = Number(u.searchParams.get("size") || 0);
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  const big = size > 0 ? JSON.stringify({ type: "stdout", content: "a".repeat(size) }) : null;
  let i = 1;
  const batch = size > 0 ? Math.max(1, Math.floor(262144 / size)) : 500;
  const block = big ? Buffer.from(`event: output\ndata: ${big}\n\n`.repeat(batch)) : null;
  const write = () => {
    while (block && i + batch <= events + 1) { // whole batches of big events: the same bytes every time
      i += batch;
      if (!res.write(block)) return res.once("drain", write);
    }
    while (i <= events) {
      let s = "";
      for (let k = 0; k < batch && i <= events; k++, i++)
        s += `event: output\nid: ${i}\ndata: ${big || JSON.stringify({ type: "stdout", content: `${now().toFixed(3)} ${i}\n` })}\n\n`;
      if (i > events) s += `event: done\nid: ${i}\ndata: {"exit_code":0,"duration_ms":0,"status":"exited"}\n\n`;
      if (!res.write(s)) { if (i <= events) return res.once("drain", write); }
    }
    res.end();
  };
  write();
});
server.listen(port, "127.0.0.1", () => console.log("listening " + server.address().port));
