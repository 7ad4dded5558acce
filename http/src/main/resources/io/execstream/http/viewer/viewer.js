// The live viewer of one execstream stream. The page's address is the stream's view_url, which
// carries the stream's token: the event stream's address is made from it, so the page holds no
// inline script. Whatever the command printed, the input it was sent and the prompts of a live
// session (user text all) go into the page through text nodes only (textContent), never parsed
// as HTML. EventSource resumes by itself after a dropped connection, sending Last-Event-ID; the
// page closes it on the done event, so it never reconnects after that.
(function () {
  "use strict";

  /** Output nodes kept in the page; past it the oldest leave, so a chatty command cannot exhaust the tab. */
  var MAX_NODES = 20000;
  /** A tool call's input, a tool result or a session's prompt longer than this is cut in the page. */
  var MAX_DETAIL = 4000;
  /** An escape sequence cut at the end of an event waits this long at most for the rest of it. */
  var MAX_PENDING = 4096;

  var byId = function (id) { return document.getElementById(id); };
  var out, followButton;
  var following = true;
  var scrollScheduled = false;
  var done = false;
  var trimmedNotice = null;
  var terminals = { stdout: newTerminal(), stderr: newTerminal() };
  /**
   * A live agent session, known from its message and turn events: the last turn asked for and the
   * last turn ended. The token opens no status, so these are counted from the events themselves:
   * a page opened late replays the history and ends up where a page open all along is.
   */
  var session = { interactive: false, asked: 0, ended: 0 };
  /** Where the page acts, and the control token it acts with; null on a read-only page. */
  var controls = null;
  /** The pending requests for permission shown, by request id. */
  var permissionCards = {};
  /** Where the timestamps toggle is remembered, across pages and visits. */
  var TIMESTAMPS_KEY = "execstream.viewer.timestamps";
  /** Whether the next output starts a line, and the time of the output being written. */
  var atLineStart = true;
  var outputTime = null;

  document.addEventListener("DOMContentLoaded", start);

  function start() {
    out = byId("output");
    followButton = byId("follow");
    out.addEventListener("scroll", function () {
      following = atBottom();
      followButton.hidden = following;
    });
    followButton.addEventListener("click", function () {
      following = true;
      followButton.hidden = true;
      out.scrollTop = out.scrollHeight;
    });
    var showTs = byId("show-ts");
    showTs.checked = remembered(TIMESTAMPS_KEY) === "true";
    document.body.classList.toggle("show-ts", showTs.checked);
    showTs.addEventListener("change", function (e) {
      document.body.classList.toggle("show-ts", e.target.checked);
      remember(TIMESTAMPS_KEY, String(e.target.checked));
    });
    byId("show-raw").addEventListener("change", function (e) {
      document.body.classList.toggle("show-raw", e.target.checked);
      scheduleScroll();
    });

    // The API may be mounted under a path of an application's (/api/projects/...): what comes
    // before /projects/ is where it is, and the event stream is there too.
    var match = /^(.*?)\/projects\/([^/]+)\/streams\/([^/]+)\/view\/?$/.exec(location.pathname);
    var token = new URLSearchParams(location.search).get("token");
    if (!match || !token) {
      setState("closed", "no stream");
      showMessage("This page needs the stream's view_url, with its token.");
      return;
    }
    var base = match[1];
    var project = decodeURIComponent(match[2]);
    var stream = decodeURIComponent(match[3]);
    byId("project").textContent = project;
    byId("stream").textContent = stream;
    document.title = project + "/" + stream + " · execstream";
    follow(base + "/projects/" + encodeURIComponent(project) + "/events/" + encodeURIComponent(stream)
        + "?token=" + encodeURIComponent(token));
    // The whole output as a file, read with the same token; the server names it <stream>.log.
    var download = byId("download");
    download.href = base + "/projects/" + encodeURIComponent(project) + "/streams/" + encodeURIComponent(stream)
        + "/log?download=true&token=" + encodeURIComponent(token);
    download.hidden = false;
    // The server marks the page it serves for a control token; the address alone never shows controls.
    var kind = document.body.dataset.control;
    if (kind) {
      controls = {
        url: base + "/projects/" + encodeURIComponent(project) + "/streams/" + encodeURIComponent(stream),
        token: token
      };
      showControls(kind);
    }
  }

  function follow(url) {
    var source = new EventSource(url);
    source.addEventListener("open", function () {
      if (!done) {
        setState("live", "running");
      }
    });
    source.addEventListener("error", function () {
      if (done) {
        return;
      }
      if (source.readyState === EventSource.CLOSED) {
        setState("closed", "disconnected");
        showMessage("The stream could not be opened: its link may have expired, or the stream has left the server's history.");
      } else {
        setState("reconnecting", "reconnecting");
      }
    });
    source.addEventListener("output", function (e) {
      var data = parse(e.data);
      if (data && typeof data.content === "string") {
        outputTime = typeof data.ts === "string" ? data.ts : null;
        write(data.type === "stderr" ? "stderr" : "stdout", data.content);
      }
    });
    source.addEventListener("agent", function (e) {
      var data = parse(e.data);
      if (data) {
        agentEvent(data);
      }
    });
    source.addEventListener("input", function (e) {
      var data = parse(e.data);
      if (data) {
        typedInput(data);
      }
    });
    // A live session's "message" events are named: they never reach this listener unnamed.
    source.addEventListener("message", function (e) {
      var data = parse(e.data);
      if (data && typeof data.prompt === "string") {
        userMessage(data);
      }
    });
    source.addEventListener("turn", function (e) {
      var data = parse(e.data);
      if (data) {
        turnEnd(data);
      }
    });
    source.addEventListener("permission", function (e) {
      var data = parse(e.data);
      if (data && typeof data.request_id === "string") {
        permissionAsked(data);
      }
    });
    source.addEventListener("permission_resolved", function (e) {
      var data = parse(e.data);
      if (data && typeof data.request_id === "string") {
        permissionResolved(data);
      }
    });
    source.addEventListener("gap", function (e) {
      var data = parse(e.data) || {};
      notice((data.missed || "Some") + " event(s) are missing here: they had left the server's history.");
    });
    source.addEventListener("done", function (e) {
      done = true;
      // Closed at once: the stream is over, and an EventSource left open would reconnect.
      source.close();
      finish(parse(e.data) || {});
    });
  }

  /** A remembered choice; null when there is none or the browser keeps no storage for the page. */
  function remembered(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (err) {
      return null;
    }
  }

  function remember(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (err) {
      // Storage refused (private mode, a policy): the choice holds for this page only.
    }
  }

  /** What a line shows of its time, "01:02:03.456" of "2026-12-06T01:02:03.456Z". */
  function lineTime(ts) {
    var t = ts.indexOf("T");
    return t >= 0 ? ts.substring(t + 1).replace(/Z$/, "") : ts;
  }

  function parse(text) {
    try {
      var value = JSON.parse(text);
      return value !== null && typeof value === "object" ? value : null;
    } catch (err) {
      return null;
    }
  }

  // ---- state and summary ----

  function setState(state, label) {
    document.body.dataset.state = state;
    var badge = byId("state");
    badge.textContent = label;
    badge.className = "badge state-" + state;
  }

  function showMessage(text) {
    byId("message").textContent = text;
  }

  function finish(data) {
    var status = typeof data.status === "string" ? data.status : "done";
    document.body.dataset.status = status;
    setState("done", status.replace("_", " "));
    byId("state").classList.add("status-" + status, data.exit_code === 0 ? "exit-zero" : "exit-nonzero");
    var exit = byId("exit-code");
    exit.textContent = "exit code " + (data.exit_code === null || data.exit_code === undefined ? "none" : data.exit_code);
    exit.hidden = false;
    if (typeof data.duration_ms === "number") {
      var duration = byId("duration");
      duration.textContent = formatDuration(data.duration_ms);
      duration.hidden = false;
    }
    if (typeof data.total_cost_usd === "number") {
      showCost(data.total_cost_usd, data.session_cost_usd);
    }
    if (session.interactive) {
      sessionEnded(data);
    }
    endControls();
    if (typeof data.message === "string") {
      showMessage(data.message);
    }
    document.title = status + " · " + document.title;
  }

  /** The run's cost in the header; a resumed session's whole cost after it, when it is more. */
  function showCost(usd, sessionUsd) {
    var cost = byId("cost");
    cost.textContent = "cost " + formatCost(usd)
        + (typeof sessionUsd === "number" && sessionUsd > usd ? " · session " + formatCost(sessionUsd) : "");
    cost.hidden = false;
  }

  function formatDuration(ms) {
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 60000) {
      return (ms / 1000).toFixed(2) + " s";
    }
    var s = Math.round(ms / 1000);
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    return (h > 0 ? h + " h " : "") + m + " min " + (s % 60) + " s";
  }

  function formatCost(usd) {
    return "$" + usd.toFixed(usd < 1 ? 4 : 2);
  }

  // ---- scrolling: follow the end until the user scrolls up ----

  function atBottom() {
    return out.scrollHeight - out.scrollTop - out.clientHeight < 8;
  }

  function scheduleScroll() {
    if (!following || scrollScheduled) {
      return;
    }
    scrollScheduled = true;
    requestAnimationFrame(function () {
      scrollScheduled = false;
      if (following) {
        out.scrollTop = out.scrollHeight;
      }
    });
  }

  function append(node) {
    out.appendChild(node);
    if (out.childNodes.length > MAX_NODES) {
      trim();
    }
    scheduleScroll();
  }

  function trim() {
    if (!trimmedNotice) {
      trimmedNotice = document.createElement("div");
      trimmedNotice.className = "notice";
      trimmedNotice.textContent = "Earlier output is no longer shown on this page.";
      out.insertBefore(trimmedNotice, out.firstChild);
    }
    var drop = Math.floor(MAX_NODES / 10);
    while (drop-- > 0 && trimmedNotice.nextSibling) {
      out.removeChild(trimmedNotice.nextSibling);
    }
  }

  function notice(text) {
    var div = document.createElement("div");
    div.className = "notice";
    div.textContent = text;
    append(div);
  }

  // ---- output with ANSI colours ----

  function newTerminal() {
    return { pending: "", fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false };
  }

  // CSI sequences (group 1: parameters, group 2: final byte), OSC strings, and other escapes.
  var ESCAPE = /\x1b(?:\[([0-?]*)[ -\/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[ -\/]*[0-~])/g;
  var COMPLETE_ESCAPE = /^\x1b(?:\[[0-?]*[ -\/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|\\|[ -\/]*[0-~])/;

  function write(type, content) {
    var term = terminals[type];
    var text = term.pending + content.replace(/\r\n/g, "\n");
    term.pending = "";
    var lastEscape = text.lastIndexOf("\x1b");
    if (lastEscape >= 0 && text.length - lastEscape < MAX_PENDING
        && !COMPLETE_ESCAPE.test(text.substring(lastEscape))) {
      // A sequence cut between two events: it is completed by the next one.
      term.pending = text.substring(lastEscape);
      text = text.substring(0, lastEscape);
    }
    var at = 0;
    var m;
    ESCAPE.lastIndex = 0;
    while ((m = ESCAPE.exec(text)) !== null) {
      emit(type, term, text.substring(at, m.index));
      at = ESCAPE.lastIndex;
      if (m[2] === "m") {
        sgr(term, m[1]);
      }
    }
    emit(type, term, text.substring(at));
  }

  /**
   * Writes {@code text} as spans; a line's first span carries the line's time in data-ts, which
   * the style sheet shows when timestamps are on.
   */
  function emit(type, term, text) {
    var at = 0;
    while (at < text.length) {
      // Without a time (an older server) there is nothing to mark: the text stays one span.
      var end = outputTime ? text.indexOf("\n", at) : -1;
      end = end < 0 ? text.length : end + 1;
      emitSpan(type, term, text.substring(at, end), atLineStart);
      atLineStart = text.charAt(end - 1) === "\n";
      at = end;
    }
  }

  function emitSpan(type, term, text, lineStart) {
    var span = document.createElement("span");
    span.className = "out " + type;
    if (lineStart && outputTime) {
      span.classList.add("line-start");
      span.dataset.ts = lineTime(outputTime);
      span.title = outputTime;
    }
    var fg = term.inverse ? term.bg : term.fg;
    var bg = term.inverse ? term.fg : term.bg;
    if (term.inverse) {
      span.classList.add("inverse");
    }
    colour(span, "fg", fg);
    colour(span, "bg", bg);
    if (term.bold) {
      span.classList.add("bold");
    }
    if (term.dim) {
      span.classList.add("dim");
    }
    if (term.italic) {
      span.classList.add("italic");
    }
    if (term.underline) {
      span.classList.add("underline");
    }
    span.textContent = text;
    append(span);
  }

  /** The 16 colours by class, so the style sheet picks the palette; others as a CSSOM value, which the CSP allows. */
  function colour(span, layer, value) {
    if (value === null) {
      return;
    }
    if (typeof value === "number" && value < 16) {
      span.classList.add(layer + "-" + value);
      return;
    }
    var css = typeof value === "number" ? xterm256(value) : value;
    if (layer === "fg") {
      span.style.color = css;
    } else {
      span.style.backgroundColor = css;
    }
    span.classList.add(layer + "-rgb");
  }

  function xterm256(n) {
    if (n >= 232) {
      var grey = 8 + (n - 232) * 10;
      return "rgb(" + grey + "," + grey + "," + grey + ")";
    }
    var levels = [0, 95, 135, 175, 215, 255];
    var i = n - 16;
    return "rgb(" + levels[Math.floor(i / 36)] + "," + levels[Math.floor(i / 6) % 6] + "," + levels[i % 6] + ")";
  }

  /** Select Graphic Rendition: the subset that colours and weights text. */
  function sgr(term, params) {
    var codes = params === "" ? [0] : params.split(/[;:]/).map(function (p) { return p === "" ? 0 : parseInt(p, 10); });
    for (var i = 0; i < codes.length; i++) {
      var c = codes[i];
      if (c === 0) {
        var pending = term.pending;
        Object.assign(term, newTerminal());
        term.pending = pending;
      } else if (c === 1) {
        term.bold = true;
      } else if (c === 2) {
        term.dim = true;
      } else if (c === 3) {
        term.italic = true;
      } else if (c === 4) {
        term.underline = true;
      } else if (c === 7) {
        term.inverse = true;
      } else if (c === 22) {
        term.bold = false;
        term.dim = false;
      } else if (c === 23) {
        term.italic = false;
      } else if (c === 24) {
        term.underline = false;
      } else if (c === 27) {
        term.inverse = false;
      } else if (c >= 30 && c <= 37) {
        term.fg = c - 30;
      } else if (c === 39) {
        term.fg = null;
      } else if (c >= 40 && c <= 47) {
        term.bg = c - 40;
      } else if (c === 49) {
        term.bg = null;
      } else if (c >= 90 && c <= 97) {
        term.fg = c - 90 + 8;
      } else if (c >= 100 && c <= 107) {
        term.bg = c - 100 + 8;
      } else if (c === 38 || c === 48) {
        var value = null;
        if (codes[i + 1] === 5 && i + 2 < codes.length) {
          value = clamp(codes[i + 2], 255);
          i += 2;
        } else if (codes[i + 1] === 2 && i + 4 < codes.length) {
          value = "rgb(" + clamp(codes[i + 2], 255) + "," + clamp(codes[i + 3], 255) + "," + clamp(codes[i + 4], 255) + ")";
          i += 4;
        } else {
          break;
        }
        if (c === 38) {
          term.fg = value;
        } else {
          term.bg = value;
        }
      }
    }
  }

  function clamp(n, max) {
    return isNaN(n) ? 0 : Math.max(0, Math.min(max, n));
  }

  // ---- coding agents: Claude Code's stream-json, shown as a conversation ----

  var CLAUDE_TYPES = { system: true, assistant: true, user: true, result: true };

  function agentEvent(data) {
    if (!CLAUDE_TYPES[data.type]) {
      // Another provider's event: its readable text comes as output.
      return;
    }
    if (!document.body.classList.contains("agent-mode")) {
      // The raw stream-json lines are what these events are parsed from: hidden unless asked for.
      document.body.classList.add("agent-mode");
      byId("raw-toggle").hidden = false;
    }
    if (data.type === "system") {
      if (data.subtype === "init") {
        block("agent agent-system", "session " + (data.session_id || "?") + (data.model ? " · model " + data.model : ""));
      }
    } else if (data.type === "assistant") {
      contentOf(data).forEach(function (part) {
        if (part.type === "text" && typeof part.text === "string") {
          block("agent agent-text", part.text);
        } else if (part.type === "thinking" && typeof part.thinking === "string") {
          block("agent agent-thinking", part.thinking);
        } else if (part.type === "tool_use") {
          toolUse(part);
        }
      });
    } else if (data.type === "user") {
      contentOf(data).forEach(function (part) {
        if (part.type === "tool_result") {
          toolResult(part);
        }
      });
    } else if (data.type === "result" && !session.interactive) {
      // A live session's turn event marks the end of each turn (below): its result is not repeated.
      var facts = ["result: " + (data.subtype || "?")];
      if (data.is_error) {
        facts.push("error");
      }
      if (typeof data.num_turns === "number") {
        facts.push(data.num_turns + " turn(s)");
      }
      if (typeof data.total_cost_usd === "number") {
        facts.push("cost " + formatCost(data.total_cost_usd));
        showCost(data.total_cost_usd);
      }
      if (typeof data.duration_ms === "number") {
        facts.push(formatDuration(data.duration_ms));
      }
      var div = block("agent agent-result", facts.join(" · "));
      if (typeof data.result === "string" && data.result) {
        detail(div, data.result);
      }
    }
  }

  function contentOf(data) {
    var content = data.message && data.message.content;
    return Array.isArray(content) ? content.filter(function (p) { return p && typeof p === "object"; }) : [];
  }

  function toolUse(part) {
    var div = block("agent agent-tool-use", "");
    var name = document.createElement("span");
    name.className = "tool-name";
    name.textContent = "\u25B8 " + (part.name || "tool");
    div.appendChild(name);
    var input = part.input;
    if (input && typeof input === "object") {
      var summary = typeof input.command === "string" ? input.command
          : typeof input.file_path === "string" && Object.keys(input).length === 1 ? input.file_path
          : JSON.stringify(input, null, 2);
      detail(div, summary);
    }
  }

  function toolResult(part) {
    var div = block("agent agent-tool-result" + (part.is_error ? " error" : ""), "");
    var label = document.createElement("span");
    label.className = "tool-name";
    label.textContent = part.is_error ? "\u25C2 tool error" : "\u25C2 result";
    div.appendChild(label);
    var content = part.content;
    var text = typeof content === "string" ? content
        : Array.isArray(content) ? content.map(function (c) {
            return c && c.type === "text" && typeof c.text === "string" ? c.text : "[" + ((c && c.type) || "part") + "]";
          }).join("\n")
        : "";
    if (text) {
      detail(div, text);
    }
  }

  function block(className, text) {
    var div = document.createElement("div");
    div.className = className;
    if (text) {
      div.textContent = text;
    }
    append(div);
    return div;
  }

  function detail(parent, text, className) {
    var pre = document.createElement("div");
    pre.className = className || "detail";
    pre.textContent = text.length > MAX_DETAIL
        ? text.substring(0, MAX_DETAIL) + "\n\u2026 (" + (text.length - MAX_DETAIL) + " more characters)"
        : text;
    parent.appendChild(pre);
    scheduleScroll();
  }

  // ---- commands with stdin: what was typed, where it was typed ----

  /** An input event: its text inline with the output, then the end of input when it closed stdin. */
  function typedInput(data) {
    if (typeof data.data === "string" && data.data) {
      var span = document.createElement("span");
      span.className = "in";
      span.textContent = data.data;
      append(span);
    }
    if (data.eof === true) {
      var eof = document.createElement("span");
      eof.className = "in eof";
      eof.textContent = "\u23CE end of input";
      append(eof);
    }
  }

  // ---- live agent sessions: the prompts, the end of each turn, and where the session stands ----

  function userMessage(data) {
    session.interactive = true;
    var turn = typeof data.turn === "number" && data.turn > 0 ? data.turn : session.asked + 1;
    session.asked = Math.max(session.asked, turn);
    var div = block("agent user-message" + (data.queued === true ? " queued" : ""), "");
    div.dataset.turn = String(turn);
    var label = document.createElement("span");
    label.className = "tool-name";
    label.textContent = "message \u00B7 turn " + turn + (data.queued === true ? " \u00B7 queued" : "");
    div.appendChild(label);
    detail(div, data.prompt, "prompt");
    showActivity();
  }

  function turnEnd(data) {
    session.interactive = true;
    var turn = typeof data.turn === "number" ? data.turn : session.ended + 1;
    session.ended = Math.max(session.ended, turn);
    var interrupted = data.subtype === "error_during_execution";
    var facts = ["turn " + turn + (interrupted ? " interrupted" : data.is_error === true ? " failed" : " done")];
    if (data.is_error === true && !interrupted && typeof data.subtype === "string") {
      facts.push(data.subtype);
    }
    if (typeof data.cost_usd === "number") {
      facts.push("cost " + formatCost(data.cost_usd));
    }
    if (typeof data.duration_ms === "number") {
      facts.push(formatDuration(data.duration_ms));
    }
    var div = block("turn-end" + (interrupted ? " interrupted" : data.is_error === true ? " error" : ""), facts.join(" \u00B7 "));
    div.dataset.turn = String(turn);
    if (typeof data.run_cost_usd === "number") {
      showCost(data.run_cost_usd);
    }
    showActivity();
  }

  /**
   * The header's line for a session: working while a turn asked for has not ended (a message that
   * came during a turn is queued behind it), else waiting for a message; and the turns ended.
   */
  function showActivity() {
    if (done) {
      return;
    }
    var working = session.asked > session.ended;
    document.body.dataset.activity = working ? "working" : "idle";
    var activity = byId("activity");
    var queued = session.asked - session.ended - 1;
    activity.textContent = working
        ? "working on turn " + (session.ended + 1) + (queued > 0 ? " \u00B7 " + queued + " queued" : "")
        : "waiting for a message";
    activity.className = "badge activity-" + (working ? "working" : "idle");
    activity.hidden = false;
    showTurns(session.ended);
  }

  /** At done the session neither works nor waits any more; its turns are the done event's count. */
  function sessionEnded(data) {
    delete document.body.dataset.activity;
    byId("activity").hidden = true;
    showTurns(typeof data.num_turns === "number" ? data.num_turns : session.ended);
  }

  function showTurns(n) {
    var turns = byId("turns");
    turns.textContent = n === 1 ? "1 turn" : n + " turns";
    turns.hidden = false;
  }

  // ---- Controls: only on a page the server served for a control token. ----

  /** Shows what the stream takes: "session" a message box, Interrupt and Close; "stdin" an input box and Close. */
  function showControls(kind) {
    byId("controls").hidden = false;
    byId("message-form").hidden = kind !== "session";
    byId("input-form").hidden = kind !== "stdin";
    byId("interrupt").hidden = kind !== "session";
    byId("close").hidden = kind !== "session";
    byId("message-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var text = byId("message-text");
      if (text.value.trim() !== "") {
        act("/messages", { prompt: text.value }, function () { text.value = ""; });
      }
    });
    byId("input-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var text = byId("input-text");
      act("/input", { data: text.value + "\n" }, function () { text.value = ""; });
    });
    byId("interrupt").addEventListener("click", function () { act("/interrupt", null); });
    byId("close").addEventListener("click", function () { act("/close", null); });
    byId("cancel").addEventListener("click", function () { act("/cancel", null); });
  }

  /** The stream has ended: nothing is left to act on. */
  function endControls() {
    byId("controls").hidden = true;
    Object.keys(permissionCards).forEach(removePermission);
  }

  /**
   * POSTs to the stream's route {@code path} with the control token in the Authorization header
   * (never in the address); shows the server's message when it refuses.
   */
  function act(path, body, then) {
    var shown = byId("control-error");
    shown.textContent = "";
    fetch(controls.url + path, {
      method: "POST",
      headers: { "Authorization": "Bearer " + controls.token, "Content-Type": "application/json" },
      body: body === null ? "{}" : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      if (response.ok) {
        if (then) {
          then();
        }
        return null;
      }
      return response.json().catch(function () { return {}; }).then(function (error) {
        shown.textContent = (error && typeof error.message === "string" ? error.message : "the server answered " + response.status);
      });
    }).catch(function () {
      shown.textContent = "The server could not be reached; try again.";
    });
  }

  /** A request for permission: on a page with controls, the tool, its input, and Approve / Deny. */
  function permissionAsked(data) {
    if (!controls || done || permissionCards[data.request_id]) {
      return;
    }
    var card = document.createElement("div");
    card.className = "permission";
    card.dataset.requestId = data.request_id;
    var title = document.createElement("div");
    title.className = "tool";
    title.textContent = "Allow " + (typeof data.tool_name === "string" ? data.tool_name : "a tool") + "?";
    card.appendChild(title);
    var input = document.createElement("pre");
    input.className = "input";
    var json = JSON.stringify(data.input === undefined ? {} : data.input, null, 2);
    input.textContent = json.length > MAX_DETAIL ? json.slice(0, MAX_DETAIL) + "\u2026" : json;
    card.appendChild(input);
    if (typeof data.reason === "string") {
      detail(card, data.reason, "reason");
    }
    var buttons = document.createElement("div");
    buttons.className = "buttons";
    var approve = document.createElement("button");
    approve.type = "button";
    approve.className = "approve";
    approve.textContent = "Approve";
    var message = document.createElement("input");
    message.type = "text";
    message.className = "deny-message";
    message.placeholder = "why not (optional)";
    message.setAttribute("aria-label", "why not");
    var deny = document.createElement("button");
    deny.type = "button";
    deny.className = "deny";
    deny.textContent = "Deny";
    var answer = "/permissions/" + encodeURIComponent(data.request_id);
    approve.addEventListener("click", function () { act(answer, { decision: "allow" }); });
    deny.addEventListener("click", function () {
      act(answer, message.value.trim() === "" ? { decision: "deny" } : { decision: "deny", message: message.value });
    });
    buttons.appendChild(approve);
    buttons.appendChild(deny);
    buttons.appendChild(message);
    card.appendChild(buttons);
    permissionCards[data.request_id] = card;
    var list = byId("permissions");
    list.appendChild(card);
    list.hidden = false;
  }

  /** A request settled (answered here or elsewhere, expired, withdrawn): its buttons go. */
  function permissionResolved(data) {
    removePermission(data.request_id);
  }

  function removePermission(requestId) {
    var card = permissionCards[requestId];
    if (card) {
      card.parentNode.removeChild(card);
      delete permissionCards[requestId];
    }
    byId("permissions").hidden = Object.keys(permissionCards).length === 0;
  }
})();
