// A project's console: a live table of the project's streams. The page's address carries the
// project's console token; the page follows the project's lifecycle with ONE EventSource on
// /projects/{project}/events (a snapshot, then a "stream" event per change), never one per stream:
// a browser allows six connections per origin over HTTP/1.1. Everything a stream's status holds
// (titles are user text) goes into the page through text nodes only (textContent), never parsed as
// HTML. EventSource reconnects by itself with Last-Event-ID after a dropped connection.
(function () {
  "use strict";

  /** Rows kept in the table; past it the oldest finished ones leave. */
  var MAX_ROWS = 500;

  var byId = function (id) { return document.getElementById(id); };
  /** The streams, by id, as their last status showed them. */
  var streams = new Map();
  var rows, timer = null;

  document.addEventListener("DOMContentLoaded", start);

  function start() {
    rows = byId("rows");
    // The API may be mounted under a path of an application's (/api/projects/...): what comes
    // before /projects/ is where it is, and the events are there too.
    var match = /^(.*?)\/projects\/([^/]+)\/console\/?$/.exec(location.pathname);
    var token = new URLSearchParams(location.search).get("token");
    if (!match || !token) {
      setState("closed", "no console");
      showMessage("Open /projects/<project>/console with an API key: it redirects here with a console token.");
      return;
    }
    var project = decodeURIComponent(match[2]);
    byId("project").textContent = project;
    document.title = project + " console - execstream";
    var url = match[1] + "/projects/" + encodeURIComponent(project) + "/events?token=" + encodeURIComponent(token);
    var source = new EventSource(url);
    source.addEventListener("open", function () {
      setState("open", "live");
      showMessage("");
    });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        setState("closed", "closed");
        showMessage("The console's connection was refused: its token may have expired. Open the console with an API key again.");
      } else {
        setState("connecting", "reconnecting");
      }
    });
    source.addEventListener("snapshot", function (e) {
      var data = JSON.parse(e.data);
      streams.clear();
      (data.streams || []).forEach(function (s) { streams.set(s.stream_id, s); });
      if (data.reason) {
        showMessage("Some changes were missed while disconnected; the table was read again.");
      }
      render();
    });
    source.addEventListener("stream", function (e) {
      var s = JSON.parse(e.data);
      streams.set(s.stream_id, s);
      render();
    });
    // Durations of running streams grow by themselves.
    timer = setInterval(render, 1000);
  }

  /** Whether a run waits on a person: a request for permission, or a live session that waits for a message. */
  function needsYou(s) {
    return s.status === "running" && (s.activity === "awaiting_permission" || s.activity === "idle");
  }

  function order(a, b) {
    var na = needsYou(a) ? 0 : 1, nb = needsYou(b) ? 0 : 1;
    if (na !== nb) {
      return na - nb;
    }
    var ra = a.status === "running" ? 0 : 1, rb = b.status === "running" ? 0 : 1;
    if (ra !== rb) {
      return ra - rb;
    }
    return a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : 0;
  }

  function render() {
    var list = Array.from(streams.values()).sort(order);
    if (list.length > MAX_ROWS) {
      list.slice(MAX_ROWS).forEach(function (s) { streams.delete(s.stream_id); });
      list = list.slice(0, MAX_ROWS);
    }
    var waiting = list.filter(needsYou).length;
    var running = list.filter(function (s) { return s.status === "running"; }).length;
    byId("counts").textContent = running + " running" + (waiting ? ", " + waiting + " need you" : "");
    byId("empty").hidden = list.length > 0;
    var fresh = document.createDocumentFragment();
    list.forEach(function (s) { fresh.appendChild(row(s)); });
    rows.replaceChildren(fresh);
  }

  function row(s) {
    var tr = document.createElement("tr");
    tr.dataset.streamId = s.stream_id;
    tr.dataset.status = s.status;
    if (s.activity) {
      tr.dataset.activity = s.activity;
    }
    tr.tabIndex = 0;
    var needs = needsYou(s);
    if (needs) {
      tr.classList.add("needs-you");
    }
    var status = cell(tr, "status");
    var badge = document.createElement("span");
    badge.className = "badge";
    badge.dataset.status = s.status;
    badge.textContent = s.status;
    status.appendChild(badge);
    if (needs) {
      var mark = document.createElement("span");
      mark.className = "badge needs";
      mark.textContent = "needs you";
      status.appendChild(mark);
    }
    cell(tr, "activity").textContent = s.activity ? s.activity.replace("_", " ") : "";
    var title = cell(tr, "title");
    var link = document.createElement("a");
    link.href = s.view_url;
    link.textContent = s.title || s.stream_id;
    title.appendChild(link);
    cell(tr, "num started").textContent = time(s.started_at);
    cell(tr, "num duration").textContent = duration(s);
    cell(tr, "num cost").textContent = typeof s.cost_usd === "number" ? "$" + s.cost_usd.toFixed(4) : "";
    var open = function () { location.href = s.view_url; };
    tr.addEventListener("click", function (e) {
      if (e.target !== link) {
        open();
      }
    });
    tr.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        open();
      }
    });
    return tr;
  }

  function cell(tr, name) {
    var td = document.createElement("td");
    td.className = name;
    tr.appendChild(td);
    return td;
  }

  function time(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString();
  }

  function duration(s) {
    var ms = typeof s.duration_ms === "number" ? s.duration_ms
        : s.status === "running" ? Date.now() - new Date(s.started_at).getTime() : null;
    if (ms === null || isNaN(ms)) {
      return "";
    }
    var secs = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(secs / 3600), m = Math.floor(secs / 60) % 60, sec = secs % 60;
    return (h ? h + "h " : "") + (h || m ? m + "m " : "") + sec + "s";
  }

  function setState(state, label) {
    document.body.dataset.state = state;
    byId("state").textContent = label;
  }

  function showMessage(text) {
    byId("message").textContent = text;
  }
})();
