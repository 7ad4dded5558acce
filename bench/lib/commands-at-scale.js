"use strict";
// Helper of bench/commands-at-scale.sh. Two steps against a running server on 127.0.0.1:
//   node commands-at-scale.js start PORT KEY K          POSTs K `sleep 600` commands one after another
//   node commands-at-scale.js first-event PORT KEY N    N warm POSTs of `echo hi`, each followed to its
//                                                       first output event: prints the median ms
const { request, postToFirstEvent } = require("./http");

const [step, port, key, n] = process.argv.slice(2);

(async () => {
  if (step === "start") {
    for (let i = 0; i < Number(n); i++) {
      const r = await request(key, port, "POST", "/projects/bench/commands", { command: "sleep 600" }, 30000);
      if (r.status !== 202) throw new Error(`POST ${r.status} ${r.body}`);
    }
  } else if (step === "first-event") {
    const ms = [];
    for (let i = 0; i < Number(n); i++) ms.push(await postToFirstEvent(key, port, "echo hi"));
    ms.sort((a, b) => a - b);
    console.log(ms[ms.length >> 1].toFixed(1));
  } else {
    throw new Error(`unknown step ${step}`);
  }
})().catch((e) => { console.error(`commands-at-scale.js: ${e.message}`); process.exit(1); });
