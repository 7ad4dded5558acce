// Follows one execstream event stream to its done event with the npm `eventsource` package (v2),
// as a Node.js application would, and prints what it received as one JSON object on one line of
// stdout, for EventSourceClientEndToEndTest.
//
//   node eventsource-check.mjs STREAM_URL TIMEOUT_MS
//
// The report: `outputs` (how many output events), `gaps`, `malformed` (events whose data was not one JSON
// object: what a client that keeps half an event across a reconnect would see), `opens` (each
// connection that got a 200), `errors` (each error event: a dropped connection, or a status that
// made the client give up), `done` (the done event's data) or `timedOut`, and `stdout` (the
// content of every stdout output event, in the order they came). Exits 0 once done came, 1 when
// it did not within TIMEOUT_MS.
import EventSource from "eventsource";

const [url, timeoutMs] = process.argv.slice(2);
if (!url || !timeoutMs) {
  console.error("usage: node eventsource-check.mjs STREAM_URL TIMEOUT_MS");
  process.exit(2);
}

// stdout last: a failure message shows the start of the report.
const report = { outputs: 0, gaps: 0, malformed: [], opens: 0, errors: [], done: null, timedOut: false, stdout: "" };
const source = new EventSource(url);

function json(event) {
  try {
    return JSON.parse(event.data);
  } catch (e) {
    report.malformed.push(event.data.slice(0, 200));
    return null;
  }
}

source.addEventListener("open", () => report.opens++);
source.addEventListener("error", (e) => report.errors.push(e.status ?? e.message ?? "closed"));
source.addEventListener("output", (e) => {
  const output = json(e);
  if (output) {
    report.outputs++;
    if (output.type === "stdout") report.stdout += output.content;
  }
});
source.addEventListener("gap", () => report.gaps++);
source.addEventListener("done", (e) => {
  report.done = json(e);
  finish(0);
});
const timer = setTimeout(() => {
  report.timedOut = true;
  finish(1);
}, Number(timeoutMs));

function finish(code) {
  source.close();
  clearTimeout(timer);
  process.stdout.write(JSON.stringify(report) + "\n", () => process.exit(code));
}
