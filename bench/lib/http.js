"use strict";
// HTTP helpers shared by the bench's drivers (bench.js, soak.js, lib/commands-at-scale.js): all traffic is on 127.0.0.1.
const http = require("node:http");
const net = require("node:net");

/** A TCP port that is free on 127.0.0.1 at the time of the call. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer(); s.on("error", reject);
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

/**
 * One request on a connection of its own, with `key` as its API key; `body`, when given, goes as
 * JSON. Resolves with { status, body } (the body as text); rejects on a socket error or after
 * `timeoutMs` without an answer.
 */
function request(key, port, method, p, body, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const headers = { "X-API-Key": key };
    if (body !== undefined) { body = JSON.stringify(body); headers["Content-Type"] = "application/json"; headers["Content-Length"] = Buffer.byteLength(body); }
    const req = http.request({ host: "127.0.0.1", port, method, path: p, headers, agent: false }, (res) => {
      let t = ""; res.setEncoding("utf8"); res.on("data", (c) => t += c);
      res.on("end", () => resolve({ status: res.statusCode, body: t }));
    });
    req.on("error", reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${p} timed out`)));
    req.end(body);
  });
}

/**
 * POSTs `command` to project "bench", opens its stream and resolves at its first output event with
 * the milliseconds since the POST; rejects on an error status, a stream that ends without output,
 * or after `timeoutMs`.
 */
function postToFirstEvent(key, port, command, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const timer = setTimeout(() => reject(new Error("no first event in time")), timeoutMs);
    request(key, port, "POST", "/projects/bench/commands", { command }).then((r) => {
      if (r.status !== 202) { clearTimeout(timer); return reject(new Error(`POST ${r.status} ${r.body}`)); }
      const req = http.get({ host: "127.0.0.1", port, path: JSON.parse(r.body).stream_url, headers: { "X-API-Key": key }, agent: false }, (res) => {
        let t = ""; res.setEncoding("utf8");
        res.on("data", (c) => {
          t += c;
          if (/(^|\n)event: ?output\n/.test(t)) { clearTimeout(timer); const ms = performance.now() - t0; req.destroy(); resolve(ms); }
        });
        res.on("end", () => { clearTimeout(timer); reject(new Error("stream ended without output")); });
      });
      req.on("error", (e) => { if (!req.destroyed) { clearTimeout(timer); reject(e); } });
    }, (e) => { clearTimeout(timer); reject(e); });
  });
}

module.exports = { freePort, request, postToFirstEvent };
