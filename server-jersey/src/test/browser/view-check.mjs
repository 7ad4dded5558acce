// Opens execstream's viewer pages in headless Chromium, waits until each shows its stream as
// done, and prints what a person would see, as a JSON array (one object per page, in order) on
// one line of stdout, for ViewerBrowserEndToEndTest.
//
//   node view-check.mjs CHROMIUM_EXECUTABLE SETTLE_MS PAGES_JSON
//
// PAGES_JSON is an array of {"url": VIEW_URL, "scrollTrigger"?: FILE, "checkpoints"?: [...]}.
// With a scrollTrigger the stream is still running: once the page shows "300" it is scrolled up,
// then FILE is created, which lets the command print the rest, and the report tells whether the
// page stayed where the user left it. Checkpoints, {"until": {...}, "signal": FILE}, are for a
// stream the test drives while the page is open: in order, each waits until the page's
// conversation matches "until" (any of activity, turns, messages, turnEnds, state; see
// conversation()), reports what the page shows then, and creates its FILE, which tells the test
// to take the next step. SETTLE_MS is how long it keeps watching a page after done, counting requests to
// the event stream: a page that reconnected after done would make a second one. The pages load
// side by side in one browser, to keep the run short. Exits 0 whenever the pages loaded (the test
// judges what they show), non-zero when the browser could not be driven at all.
import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [executablePath, settleMs, pagesJson] = process.argv.slice(2);
if (!executablePath || !settleMs || !pagesJson) {
  console.error("usage: node view-check.mjs CHROMIUM_EXECUTABLE SETTLE_MS PAGES_JSON");
  process.exit(2);
}
const pages = JSON.parse(pagesJson);

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
});
try {
  const reports = await Promise.all(pages.map((spec) => check(spec.url, spec.scrollTrigger, spec.checkpoints || [],
      spec.timestamps === true, spec.download === true)));
  console.log(JSON.stringify(reports));
} finally {
  await browser.close();
}

async function check(url, scrollTrigger, checkpoints, timestamps, download) {
  const page = await browser.newPage();
  const problems = [];
  const dialogs = [];
  const eventRequests = [];
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("console", (m) => {
    if (m.type() === "error") {
      problems.push("console: " + m.text() + " (" + (m.location().url || "?") + ")");
    }
  });
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  page.on("request", (r) => {
    if (r.url().includes("/events/")) {
      eventRequests.push(r.url());
    }
  });
  const response = await page.goto(url, { waitUntil: "domcontentloaded", timeout: 15000 });
  const scrolling = scrollTrigger ? await scrollUpWhileRunning(page, scrollTrigger) : null;
  const reached = [];
  for (const point of checkpoints) {
    const view = await reach(page, point.until);
    reached.push(view);
    writeFileSync(point.signal, "reached");
    if (view.timedOut) {
      break;
    }
  }
  let timedOut = false;
  try {
    await page.waitForFunction(() => document.body.dataset.state === "done"
        || document.body.dataset.state === "closed", null, { timeout: 15000 });
  } catch (e) {
    timedOut = true;
  }
  await page.waitForTimeout(Number(settleMs));
  const seen = await page.evaluate(pageView);
  if (scrolling) {
    scrolling.after = await scrollState(page);
    await page.click("#follow");
    await page.waitForTimeout(100);
    scrolling.afterFollow = await scrollState(page);
  }
  // Counted now: a reload below opens the event stream again, on purpose.
  const eventRequestCount = eventRequests.length;
  const downloaded = download ? await fetchDownload(page) : null;
  const stamps = timestamps ? await tryTimestamps(page) : null;
  await page.close();
  return {
    scrolling,
    url,
    httpStatus: response ? response.status() : null,
    csp: response ? response.headers()["content-security-policy"] || null : null,
    timedOut,
    problems,
    dialogs,
    eventRequests: eventRequestCount,
    checkpoints: reached,
    timestamps: stamps,
    download: downloaded,
    ...seen,
  };
}

/** What the page shows, as a person would read it; run in the page. */
function pageView() {
  const text = (id) => {
    const el = document.getElementById(id);
    return el && !el.hidden ? el.textContent : null;
  };
  const all = (selector) => Array.from(document.querySelectorAll(selector));
  const visible = (el) => el.getClientRects().length > 0;
  const output = document.getElementById("output");
  return {
    state: document.body.dataset.state,
    status: document.body.dataset.status || null,
    badge: text("state"),
    exitCode: text("exit-code"),
    duration: text("duration"),
    cost: text("cost"),
    message: text("message"),
    outputText: output.textContent,
    stdout: all("#output .out.stdout").map((s) => s.textContent).join(""),
    stderr: all("#output .out.stderr").map((s) => s.textContent).join(""),
    injected: {
      script: output.querySelectorAll("script").length,
      b: output.querySelectorAll("b").length,
      img: output.querySelectorAll("img").length,
      xssFlag: window.__execstreamXss === true,
    },
    coloured: all("#output .out").filter((s) => /\b(fg|bg)-/.test(s.className) || s.classList.contains("bold"))
        .map((s) => ({ text: s.textContent, classes: s.className, color: getComputedStyle(s).color, visible: visible(s) })),
    agent: {
      mode: document.body.classList.contains("agent-mode"),
      system: all(".agent-system").map((e) => e.textContent),
      text: all(".agent-text").map((e) => e.textContent),
      toolUse: all(".agent-tool-use").map((e) => e.textContent),
      toolResult: all(".agent-tool-result").map((e) => e.textContent),
      result: all(".agent-result").map((e) => e.textContent),
      rawStdoutVisible: all("#output .out.stdout").some(visible),
    },
    // A live session: where it stands, each message sent and the end of each turn.
    activity: document.body.dataset.activity || null,
    activityText: text("activity"),
    turns: text("turns"),
    messages: all("#output .user-message").map((e) => ({
      turn: Number(e.dataset.turn),
      queued: e.classList.contains("queued"),
      label: e.querySelector(".tool-name").textContent,
      prompt: e.querySelector(".prompt").textContent,
    })),
    turnEnds: all("#output .turn-end").map((e) => ({
      turn: Number(e.dataset.turn),
      text: e.textContent,
      interrupted: e.classList.contains("interrupted"),
    })),
    // The output pane in order, runs of one kind joined: what was printed, typed, sent and ended.
    flow: Array.from(output.children).reduce((runs, e) => {
      const kind = e.classList.contains("eof") ? "eof"
          : e.classList.contains("in") ? "input"
          : e.classList.contains("user-message") ? "message"
          : e.classList.contains("turn-end") ? "turn"
          : e.classList.contains("stderr") ? "stderr"
          : e.classList.contains("stdout") ? "stdout"
          : e.className;
      const content = kind === "message" ? e.querySelector(".prompt").textContent : e.textContent;
      const last = runs[runs.length - 1];
      if (last && last.kind === kind && kind !== "eof" && kind !== "message" && kind !== "turn") {
        last.text += content;
      } else {
        runs.push({ kind, text: content });
      }
      return runs;
    }, []),
    styles: {
      input: all("#output .in:not(.eof)").slice(0, 1).map((e) => getComputedStyle(e).color + " on " + getComputedStyle(e).backgroundColor)[0] || null,
      stdout: all("#output .out.stdout").slice(0, 1).map((e) => getComputedStyle(e).color + " on " + getComputedStyle(e).backgroundColor)[0] || null,
    },
  };
}

/** The page's "download log" link, and what fetching it gives. */
async function fetchDownload(page) {
  return page.evaluate(async () => {
    const link = document.getElementById("download");
    const r = await fetch(link.href);
    return {
      visible: !link.hidden && link.getClientRects().length > 0,
      text: link.textContent,
      href: link.getAttribute("href"),
      status: r.status,
      disposition: r.headers.get("content-disposition"),
      more: r.headers.get("x-execstream-more"),
      body: await r.text(),
    };
  });
}

/** Ticks the timestamps toggle of a page that is done, then reloads it: what the first line shows each time. */
async function tryTimestamps(page) {
  const shown = () => page.evaluate(() => {
    const first = document.querySelector("#output .line-start");
    const before = first ? getComputedStyle(first, "::before").content : null;
    return {
      checked: document.getElementById("show-ts").checked,
      lines: document.querySelectorAll("#output .line-start").length,
      title: first ? first.title : null,
      shows: before === "none" || before === "normal" ? null : before,
      outputText: document.getElementById("output").textContent,
    };
  });
  const off = await shown();
  await page.click("#show-ts");
  const on = await shown();
  await page.reload({ waitUntil: "domcontentloaded" });
  await page.waitForFunction(() => document.body.dataset.state === "done", null, { timeout: 15000 });
  const reloaded = await shown();
  return { off, on, reloaded };
}

/** The part of pageView() that checkpoints wait on. */
function conversation(view) {
  return {
    activity: view.activity,
    turns: view.turns,
    messages: view.messages.length,
    turnEnds: view.turnEnds.length,
    state: view.state,
  };
}

/** Waits (15 s at most) until the page's conversation matches every field of until; what the page shows then. */
async function reach(page, until) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const view = await page.evaluate(pageView);
    const now = conversation(view);
    if (Object.keys(until).every((key) => now[key] === until[key])) {
      return view;
    }
    if (Date.now() > deadline) {
      return { timedOut: true, until, ...view };
    }
    await page.waitForTimeout(50); // poll interval, not a guess at when the page gets there
  }
}

/** Waits for the first part of the output, scrolls up as a reader would, then lets the command go on. */
async function scrollUpWhileRunning(page, trigger) {
  await page.waitForFunction(() => document.getElementById("output").textContent.includes("\n300\n"), null, { timeout: 15000 });
  await page.waitForTimeout(100);
  const before = await scrollState(page);
  await page.mouse.move(400, 300);
  await page.mouse.wheel(0, -2000);
  await page.waitForFunction(() => !document.getElementById("follow").hidden, null, { timeout: 5000 });
  const scrolledUp = await scrollState(page);
  writeFileSync(trigger, "go");
  return { before, scrolledUp };
}

async function scrollState(page) {
  return page.evaluate(() => {
    const out = document.getElementById("output");
    return {
      scrollTop: Math.round(out.scrollTop),
      atBottom: out.scrollHeight - out.scrollTop - out.clientHeight < 8,
      overflows: out.scrollHeight > out.clientHeight,
      followButton: !document.getElementById("follow").hidden,
      hasLastLine: out.textContent.includes("\n600\n"),
    };
  });
}
