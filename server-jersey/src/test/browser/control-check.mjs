// Acts on a live session from execstream's viewer page in headless Chromium, as a person would,
// for ClaudeControlBrowserEndToEndTest, and prints what the pages showed as one JSON object on
// one line of stdout.
//
//   node control-check.mjs CHROMIUM_EXECUTABLE SPEC_JSON
//
// SPEC_JSON is {"controlUrl", "readUrl", "message", "denyMessage"}: the session's viewer opened
// with a control token, and with its read-only token. On the control page it waits for a request
// for permission, reads its tool and input, clicks Approve and waits until the request is gone;
// then sends "message" from the page's message box, waits for the next request, types
// "denyMessage", clicks Deny and waits until that one is gone too. Meanwhile the read-only page
// follows the same stream; the report says which controls each page showed. Exits 0 whenever the
// pages could be driven (the test judges the report), non-zero when the browser could not be.
import { chromium } from "playwright-core";

const [executablePath, specJson] = process.argv.slice(2);
if (!executablePath || !specJson) {
  console.error("usage: node control-check.mjs CHROMIUM_EXECUTABLE SPEC_JSON");
  process.exit(2);
}
const spec = JSON.parse(specJson);
const WAIT = 30000;

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
});
try {
  const problems = [];
  const control = await open(spec.controlUrl, problems);
  const read = await open(spec.readUrl, problems);
  const report = { problems, posts: [] };
  control.on("request", (r) => {
    if (r.method() === "POST") {
      report.posts.push({ url: r.url(), authorization: (r.headers()["authorization"] || "").split(" ")[0] });
    }
  });
  report.controlShown = await shown(control);

  const first = control.locator(".permission").first();
  await first.waitFor({ state: "visible", timeout: WAIT });
  report.first = { tool: await first.locator(".tool").textContent(), input: await first.locator(".input").textContent() };
  report.readWhileAsked = await shown(read);
  await first.locator("button.approve").click();
  await control.locator(".permission").first().waitFor({ state: "detached", timeout: WAIT });
  // The turn the approval let go on ends before the next message is sent.
  await control.waitForFunction(() => document.body.dataset.activity === "idle", null, { timeout: WAIT });

  await control.fill("#message-text", spec.message);
  await control.click("#send-message");
  const second = control.locator(".permission").first();
  await second.waitFor({ state: "visible", timeout: WAIT });
  report.second = { tool: await second.locator(".tool").textContent(), input: await second.locator(".input").textContent() };
  await second.locator("input.deny-message").fill(spec.denyMessage);
  await second.locator("button.deny").click();
  await control.locator(".permission").first().waitFor({ state: "detached", timeout: WAIT });
  report.messageBoxAfterSend = await control.inputValue("#message-text");
  report.controlError = await control.textContent("#control-error");
  report.readAtEnd = await shown(read);
  console.log(JSON.stringify(report));
} finally {
  await browser.close();
}

async function open(url, problems) {
  const page = await browser.newPage();
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("console", (m) => {
    if (m.type() === "error") {
      problems.push("console: " + m.text());
    }
  });
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 15000 });
  await page.waitForFunction(() => document.body.dataset.state !== "connecting", null, { timeout: WAIT });
  return page;
}

/** Which controls a person can see on the page: visible buttons and text boxes by id or class. */
async function shown(page) {
  return page.evaluate(() => {
    const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    return Array.from(document.querySelectorAll("button, textarea, input[type=text]"))
      .filter(visible)
      .map((el) => el.id || el.className)
      .filter((name) => name !== "follow");
  });
}
