"use strict";
// A lean asynchronous SSE client for the load generator: one raw TCP socket per subscriber,
// HTTP/1.1 response head and chunked transfer decoding by hand, SSE parsed incrementally.
// No streams machinery, no per-event allocation beyond the event's own strings.
const net = require("node:net");
const { StringDecoder } = require("node:string_decoder");

const nowMs = () => performance.timeOrigin + performance.now(); // wall clock, sub-millisecond

const SHARED = Buffer.allocUnsafe(256 * 1024);
const HEAD = 0, SIZE = 1, DATA = 2, CRLF = 3, RAW = 4, END = 5;

class SseClient {
  /**
   * opts: {host, port, path, headers: {name: value}}
   * handlers: onHead(status, client), onEvent(name, id, data, client), onComment(text, client), onClose(client)
   */
  constructor(opts, handlers) {
    this.opts = opts;
    this.h = handlers;
    this.state = HEAD;
    this.head = null;
    this.status = 0;
    this.sizeLine = "";
    this.remaining = 0;
    this.dec = new StringDecoder("utf8");
    this.buf = "";
    this.scan = 0;
    this.now = 0; // receipt time of the TCP read being parsed
    this.closed = false;
    this.error = null;
    this.bodyText = ""; // for non-200 answers
  }

  connect() {
    const o = this.opts;
    let req = `GET ${o.path} HTTP/1.1\r\nHost: ${o.host}:${o.port}\r\nAccept: text/event-stream\r\n`;
    for (const [k, v] of Object.entries(o.headers || {})) req += `${k}: ${v}\r\n`;
    req += "\r\n";
    // One read buffer shared by every socket of this thread (reads are handled synchronously, and
    // whatever outlives a read is copied): no allocation per read.
    const s = net.connect({ host: o.host, port: o.port, onread: { buffer: SHARED, callback: (n, buf) => { this.onData(buf.subarray(0, n)); } } });
    this.sock = s;
    s.setNoDelay(true);
    s.on("connect", () => s.write(req));
    s.on("error", (e) => { if (!this.error) this.error = e.code || e.message; });
    s.on("close", () => { this.closed = true; if (this.h.onClose) this.h.onClose(this); });
  }

  close() { if (this.sock) this.sock.destroy(); }

  onData(b) {
    this.now = nowMs();
    let i = 0;
    if (this.state === HEAD) {
      this.head = this.head ? Buffer.concat([this.head, b]) : Buffer.from(b); // a copy: b is the shared buffer
      const end = this.head.indexOf("\r\n\r\n");
      if (end < 0) { if (this.head.length > 65536) { this.error = "head too large"; this.close(); } return; }
      const text = this.head.toString("latin1", 0, end);
      this.status = parseInt(text.split(" ", 2)[1], 10);
      this.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(text);
      b = this.head; i = end + 4; this.head = null;
      this.state = this.chunked ? SIZE : RAW;
      if (this.h.onHead) this.h.onHead(this.status, this);
    }
    if (this.state === RAW) { if (i < b.length) this.onBody(i === 0 ? b : b.subarray(i)); return; }
    while (i < b.length) {
      if (this.state === SIZE) {
        const nl = b.indexOf(10, i);
        if (nl < 0) { this.sizeLine += b.toString("latin1", i); return; }
        this.sizeLine += b.toString("latin1", i, nl);
        const n = parseInt(this.sizeLine, 16);
        this.sizeLine = "";
        i = nl + 1;
        if (n === 0) { this.state = END; this.onBody(null); return; }
        if (!(n > 0)) { this.error = "bad chunk size"; this.close(); return; }
        this.remaining = n; this.state = DATA;
      } else if (this.state === DATA) {
        const take = Math.min(this.remaining, b.length - i);
        this.onBody(b.subarray(i, i + take));
        i += take; this.remaining -= take;
        if (this.remaining === 0) this.state = CRLF;
      } else if (this.state === CRLF) {
        const nl = b.indexOf(10, i);
        if (nl < 0) return;
        i = nl + 1; this.state = SIZE;
      } else return; // END
    }
  }

  onBody(buf) {
    const str = buf === null ? this.dec.end() : this.dec.write(buf);
    if (this.status !== 200) { if (this.bodyText.length < 1000) this.bodyText += str; return; }
    if (str.length === 0) return;
    let s = this.buf.length ? this.buf + str : str;
    let start = 0;
    for (;;) {
      const idx = s.indexOf("\n\n", this.scan);
      if (idx < 0) break;
      this.block(s, start, idx);
      start = idx + 2; this.scan = start;
    }
    this.buf = start === 0 ? s : s.slice(start);
    this.scan = this.buf.length > 0 ? this.buf.length - 1 : 0;
  }

  // One event block: the lines of s between a and b (b at the first '\n' of the blank line).
  block(s, a, b) {
    let name = "message", id = null, data = null;
    let p = a;
    while (p <= b) {
      let e = s.indexOf("\n", p);
      if (e < 0 || e > b) e = b;
      if (e > p) {
        if (s.charCodeAt(p) === 58 /* ':' */) {
          if (this.h.onComment) this.h.onComment(s.slice(p + 1, e), this);
        } else {
          let c = s.indexOf(":", p);
          if (c < 0 || c > e) c = e;
          const field = s.slice(p, c);
          let v = c + 1;
          if (s.charCodeAt(v) === 32) v++;
          const value = v <= e ? s.slice(v, e) : "";
          if (field === "data") data = data === null ? value : data + "\n" + value;
          else if (field === "event") name = value;
          else if (field === "id") id = value;
        }
      }
      p = e + 1;
    }
    if (data !== null) this.h.onEvent(name, id, data, this);
  }
}

module.exports = { SseClient, nowMs };
