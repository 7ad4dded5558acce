"use strict";
// Helper of bench/commands-at-scale.sh. Two steps against a running server on 127.0.0.1:
//   node commands-at-scale.js start PORT KEY K          POSTs K `sleep 600` commands one after another
//   node commands-at-scale.js first-event PORT KEY N    N warm POSTs of `echo hi`, each followed to its
//                                                       first output event: prints the median ms
const http = require("node:http");
const { request } = require("./http");

const [step, port, key, n] = process.argv.slice(2);
const now = () => performance.now();

function firstEvent() {
  return new Promise((resolve, reject) => {
    const t0 = now();
    request(key, port, "POST", "/projects/bench/commands", { command: "echo hi" }).then((r) => {
      if (r.status !== 202) return reject(new Error(`POST ${r.status} ${r.body}`));
      const req = http.get({ host: "127.0.0.1", port, path: JSON.parse(r.body).stream_url, headers: { "X-API-Key": key }, agent: false }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => { text += c; if (/(^|\n)event: ?output\n/.test(text)) { const ms = now() - t0; req.destroy(); resolve(ms); } });
        res.on("end", () => reject(new Error("the stream ended without output")));
      });
      req.on("error", (e) => { if (!req.destroyed) reject(e); });
      req.setTimeout(10000, () => req.destroy(new Error("no first event within 10 s")));
    }, reject);
  });
}

(async () => {
  if (step === "start") {
    for (let i = 0; i < Number(n); i++) {
      const r = await request(key, port, "POST", "/projects/bench/commands", { command: "sleep 600" }, 30000);
      if (r.status !== 202) throw new Error(`POST ${r.status} ${r.body}`);
    }
  } else if (step === "first-event") {
    const ms = [];
    for (let i = 0; i < Number(n); i++) ms.push(await firstEvent());
    ms.sort((a, b) => a - b);
    console.log(ms[ms.length >> 1].toFixed(1));
  } else {
    throw new Error(`unknown step ${step}`);
  }
})().catch((e) => { console.error(`commands-at-scale.js: ${e.message}`); process.exit(1); });
