// Opens a project's console page in headless Chromium while the test drives the project's
// streams, and prints what the page showed at each checkpoint, as one JSON object on one line of
// stdout, for ConsoleBrowserEndToEndTest.
//
//   node console-check.mjs CHROMIUM_EXECUTABLE CONSOLE_URL CHECKPOINTS_JSON
//
// CHECKPOINTS_JSON is an array of {"until": {...}, "signal": FILE}: in order, each waits (15 s at
// most) until the table matches "until" ({"rows": N, "first": STREAM_ID, "streams": {STREAM_ID:
// {"status"?, "activity"?, "needsYou"?}}}), records what the page shows then, and creates FILE,
// which tells the test to take its next step. The report counts the page's requests to event
// streams: the console must open one, whatever happens to its streams. Exits 0 whenever the page
// loaded (the test judges what it shows), non-zero when the browser could not be driven at all.
import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [executablePath, url, checkpointsJson] = process.argv.slice(2);
if (!executablePath || !url || !checkpointsJson) {
  console.error("usage: node console-check.mjs CHROMIUM_EXECUTABLE CONSOLE_URL CHECKPOINTS_JSON");
  process.exit(2);
}
const checkpoints = JSON.parse(checkpointsJson);

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage();
  const problems = [];
  const eventRequests = [];
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("console", (m) => {
    if (m.type() === "error") {
      problems.push("console: " + m.text() + " (" + (m.location().url || "?") + ")");
    }
  });
  page.on("request", (r) => {
    if (r.url().includes("/events")) {
      eventRequests.push(r.url().replace(/token=[^&]*/, "token=..."));
    }
  });
  const response = await page.goto(url, { waitUntil: "domcontentloaded", timeout: 15000 });
  const reached = [];
  for (const point of checkpoints) {
    const view = await reach(page, point.until);
    reached.push(view);
    writeFileSync(point.signal, "reached");
    if (view.timedOut) {
      break;
    }
  }
  const final = await page.evaluate(pageView);
  await page.close();
  console.log(JSON.stringify({
    httpStatus: response ? response.status() : null,
    csp: response ? response.headers()["content-security-policy"] || null : null,
    problems,
    eventRequests,
    checkpoints: reached,
    final,
  }));
} finally {
  await browser.close();
}

/** What the page shows, as a person would read it; run in the page. */
function pageView() {
  const rows = Array.from(document.querySelectorAll("#rows tr")).map((tr) => ({
    streamId: tr.dataset.streamId,
    status: tr.dataset.status,
    activity: tr.dataset.activity || null,
    needsYou: tr.classList.contains("needs-you"),
    marks: Array.from(tr.querySelectorAll(".badge")).map((b) => b.textContent),
    title: tr.querySelector("td.title").textContent,
    link: tr.querySelector("td.title a").getAttribute("href"),
    duration: tr.querySelector("td.duration").textContent,
  }));
  return {
    state: document.body.dataset.state,
    badge: document.getElementById("state").textContent,
    counts: document.getElementById("counts").textContent,
    message: document.getElementById("message").textContent,
    rows,
  };
}

function matches(view, until) {
  if (until.rows !== undefined && view.rows.length !== until.rows) {
    return false;
  }
  if (until.first !== undefined && (view.rows.length === 0 || view.rows[0].streamId !== until.first)) {
    return false;
  }
  for (const [id, want] of Object.entries(until.streams || {})) {
    const row = view.rows.find((r) => r.streamId === id);
    if (!row || Object.keys(want).some((key) => row[key] !== want[key])) {
      return false;
    }
  }
  return true;
}

/** Waits (15 s at most) until the page matches until; what the page shows then. */
async function reach(page, until) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const view = await page.evaluate(pageView);
    if (matches(view, until)) {
      return view;
    }
    if (Date.now() > deadline) {
      return { timedOut: true, until, ...view };
    }
    await page.waitForTimeout(50); // poll interval, not a guess at when the page gets there
  }
}
