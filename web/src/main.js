// corral's page: a CodeMirror 6 editor over the native API of `corral serve`.
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { Prec } from "@codemirror/state";
import { rust } from "@codemirror/lang-rust";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { renderAnsi } from "./ansi.js";
import { getJson, loadJson, storeJson } from "./dom.js";
import { harnessView } from "./harness-view.js";
import { shareText } from "./share.js";
import { themeSwitch } from "./theme.js";
import { editorDiagnostics } from "./offsets.js";
import { resultStatus } from "./result.js";
import { duration, formatNs, isTimed, play } from "./replay.js";

const $ = (id) => document.getElementById(id);
const STORE = "corral.settings";
const DEFAULT_CODE = 'fn main() {\n    println!("Hello, corral!");\n}\n';

const settings = loadJson(STORE);
function save(patch) {
  Object.assign(settings, patch);
  storeJson(STORE, settings); // without storage, settings last for the visit
}

// ---- theme: the system's, unless the user chose one ----
let view = null; // the editor, made below
const editorTheme = themeSwitch($("theme"), settings, (theme) => save({ theme }), () => view);

// ---- the editor ----
let saveTimer = 0;
// The editor injects its styles in a <style> element: the server's policy admits it by
// this response's nonce.
const nonce = document.querySelector('meta[name="style-nonce"]')?.content || "";
view = new EditorView({
  parent: $("editor"),
  doc: settings.code ?? DEFAULT_CODE,
  extensions: [
    EditorView.cspNonce.of(nonce),
    Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => (run(), true) }])),
    basicSetup,
    rust(),
    lintGutter(),
    editorTheme(),
    EditorView.updateListener.of((u) => {
      if (!u.docChanged) return;
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => save({ code: view.state.doc.toString() }), 300);
    }),
  ],
});
// Typing is saved after a pause; leaving the page saves at once.
window.addEventListener("pagehide", () => save({ code: view.state.doc.toString() }));
window.corralEditor = view; // for the browser tests and the console

function setCode(code) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } });
  save({ code });
}

// ---- pickers ----
let harnesses = [];
const toolchains = new Map(); // channel → its entry in /api/v1/toolchains
function fillSelect(select, items, chosen) {
  select.replaceChildren(
    ...items.map(([value, label]) => {
      const o = document.createElement("option");
      o.value = value;
      o.textContent = label;
      return o;
    }),
  );
  if (chosen != null && items.some(([v]) => v === chosen)) select.value = chosen;
}

// The harness's argument form, filled with `given` (from a link) or the saved values.
// A `records` argument (e.g. rocket-request's `then`: more requests) is a list of
// fieldsets, each with the record's fields, that the user adds and removes.
function argsForm(given) {
  const form = $("args");
  const h = harnesses.find((x) => x.id === $("harness").value);
  form.replaceChildren();
  form.hidden = !h || h.args.length === 0;
  if (!h) return;
  const saved = given || (settings.args || {})[h.id] || {};
  const remember = () => save({ args: { ...settings.args, [h.id]: collectArgs() } });
  for (const a of h.args) {
    if (a.type === "records") form.append(recordsInput(a, saved[a.name], remember));
    else form.append(argInput(a, saved[a.name], remember));
  }
}

// One argument's label and input.
function argInput(a, value, remember) {
  const label = document.createElement("label");
  const name = document.createElement("span");
  name.textContent = a.name + (a.required ? " *" : "");
  label.append(name);
  let input;
  if (a.type === "enum") {
    input = document.createElement("select");
    fillSelect(input, a.values.map((v) => [v, v]), value ?? a.default);
  } else if (a.type === "list" || a.name === "body") {
    input = document.createElement("textarea");
    input.rows = 2;
    const v = value ?? a.default ?? "";
    input.value = Array.isArray(v) ? v.join("\n") : v;
    if (a.type === "list") input.placeholder = "one per line";
  } else {
    input = document.createElement("input");
    input.value = value ?? a.default ?? "";
    if (a.max_len) input.maxLength = a.max_len;
  }
  input.name = a.name;
  input.dataset.kind = a.type;
  input.title = a.description || "";
  input.addEventListener("change", remember);
  label.append(input);
  return label;
}

function recordsInput(a, value, remember) {
  const box = document.createElement("fieldset");
  box.className = "records";
  box.dataset.name = a.name;
  box.title = a.description || "";
  const legend = document.createElement("legend");
  legend.textContent = a.name;
  const add = document.createElement("button");
  add.type = "button";
  add.className = "add-record";
  add.textContent = "+ Add a request";
  const addRecord = (record) => {
    const one = document.createElement("fieldset");
    one.className = "record";
    for (const f of a.fields) one.append(argInput(f, record?.[f.name], remember));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove-record";
    remove.textContent = "Remove";
    remove.addEventListener("click", () => {
      one.remove();
      add.disabled = false;
      remember();
    });
    one.append(remove);
    box.insertBefore(one, add);
    add.disabled = a.max_items != null && box.querySelectorAll(".record").length >= a.max_items;
  };
  add.addEventListener("click", () => {
    addRecord();
    remember();
  });
  box.append(legend, add);
  for (const record of Array.isArray(value) ? value : []) addRecord(record);
  return box;
}

// One input's value as the API takes it (undefined: left out).
function inputValue(el) {
  if (el.dataset.kind === "list") return el.value.split("\n").filter((l) => l.trim() !== "");
  return el.value !== "" ? el.value : undefined;
}

function collectArgs() {
  const args = {};
  for (const el of $("args").elements) {
    if (!el.name || el.closest(".record")) continue;
    const v = inputValue(el);
    if (v !== undefined) args[el.name] = v;
  }
  for (const box of $("args").querySelectorAll("fieldset.records")) {
    args[box.dataset.name] = [...box.querySelectorAll("fieldset.record")].map((one) => {
      const record = {};
      for (const el of one.elements) {
        const v = el.name ? inputValue(el) : undefined;
        if (v !== undefined) record[el.name] = v;
      }
      return record;
    });
  }
  return args;
}

async function loadPickers() {
  try {
    harnesses = (await getJson("/api/v1/harnesses")).harnesses;
  } catch {
    harnesses = [{ id: "bin", args: [], description: "A whole program" }];
  }
  fillSelect($("harness"), harnesses.map((h) => [h.id, h.id]), settings.harness ?? "bin");
  $("harness").title = harnesses.find((h) => h.id === $("harness").value)?.description ?? "";
  argsForm();
  let channels = [];
  try {
    for (const t of (await getJson("/api/v1/toolchains")).toolchains) {
      toolchains.set(t.channel, t);
      channels.push([t.channel, t.channel === t.version ? t.channel : `${t.channel} (${t.version})`]);
    }
  } catch {
    // Without the list, offer the default.
  }
  const rank = (c) => ["stable", "beta", "nightly"].indexOf(c) + 1 || 9;
  channels.sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
  if (channels.length === 0) channels = [["stable", "stable"]];
  fillSelect($("channel"), channels, settings.channel ?? "stable");
}

for (const id of ["channel", "edition", "mode"]) {
  $(id).addEventListener("change", () => save({ [id]: $(id).value }));
}
$("realtime").addEventListener("change", () => save({ time: $("realtime").checked ? "real" : "virtual" }));
$("channel").addEventListener("change", updateTools);

// ---- tools: shown only when the selected channel has them ----
const SHOW = [
  ["asm", "Assembly"],
  ["llvm-ir", "LLVM IR"],
  ["mir", "MIR"],
  ["hir", "HIR", true],
  ["macro-expansion", "Macro expansion", true],
];
function updateTools() {
  const channel = $("channel").value;
  const t = toolchains.get(channel);
  const has = (name) => (t?.components || []).some((c) => c === name || c.startsWith(name + "-"));
  $("format").hidden = !(has("rustfmt") || has("rustfmt-preview"));
  $("clippy").hidden = !(has("clippy") || has("clippy-preview"));
  const nightly = channel === "nightly" || /nightly/.test(t?.version || "");
  fillSelect(
    $("show"),
    [["", "Show…"], ...SHOW.filter(([, , n]) => !n || nightly).map(([v, l]) => [v, l])],
    "",
  );
}

let toolBusy = false;
function toolBody(extra) {
  return {
    code: view.state.doc.toString(),
    edition: $("edition").value,
    channel: $("channel").value || "stable",
    ...extra,
  };
}
function showTool(title, text) {
  $("tool-title").textContent = title;
  $("tool-box").hidden = false;
  $("tool-out").textContent = text;
}
async function tool(label, url, body, done) {
  if (toolBusy) return;
  toolBusy = true;
  for (const id of ["format", "clippy", "show"]) $(id).disabled = true;
  $("status").textContent = `${label}…`;
  $("status").className = "status busy";
  try {
    const r = await getJson(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    done(r);
    $("status").textContent = `${label}: ${r.success ? "done" : (r.status || "failed").replace(/_/g, " ")}`;
    $("status").className = "status " + (r.success ? "ok" : "bad");
  } catch (e) {
    showTool(label, "Error: " + e.message);
    $("status").textContent = `${label} failed: ${e.message}`;
    $("status").className = "status bad";
  } finally {
    toolBusy = false;
    for (const id of ["format", "clippy", "show"]) $(id).disabled = false;
  }
}
$("format").addEventListener("click", () =>
  tool("Format", "/api/v1/format", toolBody(), (r) => {
    if (r.success && typeof r.code === "string") setCode(r.code);
    show("compile", r.success ? "" : r.stderr);
  }),
);
$("clippy").addEventListener("click", () =>
  tool("Clippy", "/api/v1/clippy", toolBody(), (r) => show("compile", r.stderr || "No warnings.")),
);
$("show").addEventListener("change", () => {
  const target = $("show").value;
  if (!target) return;
  const label = SHOW.find(([v]) => v === target)?.[1] || target;
  tool(label, "/api/v1/compile", toolBody({ mode: $("mode").value, target }), (r) => {
    show("compile", r.success ? "" : r.stderr);
    showTool(label, r.success ? r.code || "" : r.error || "(no output: see the compiler pane)");
  }).finally(() => {
    $("show").value = "";
  });
});
// The editor holds an unedited example: the default program, a harness's example, or
// nothing. Picking a harness then loads that harness's example.
function uneditedExample(text) {
  const t = text.trim();
  return !t || t === DEFAULT_CODE.trim() || harnesses.some((h) => typeof h.example === "string" && h.example.trim() === t);
}
$("harness").addEventListener("change", () => {
  const h = harnesses.find((x) => x.id === $("harness").value);
  save({ harness: $("harness").value });
  $("harness").title = h?.description ?? "";
  argsForm();
  if (typeof h?.example === "string" && uneditedExample(view.state.doc.toString())) setCode(h.example);
});
$("args").addEventListener("submit", (e) => {
  e.preventDefault();
  run();
});

// ---- running ----
function show(id, text) {
  if (id === "harness") return showHarness(null, null);
  const box = $(id + "-box");
  box.hidden = !text;
  // Program output (stdout, stderr) may carry pictures; the compiler's not.
  const images = id === "stdout" || id === "stderr";
  renderAnsi($(id === "compile" ? "compile-out" : id), text || "", { images });
}

// What the harness read from the run: a response, a list of tests, or its JSON.
function showHarness(harness, result) {
  const { title, node } = harnessView(harness, result);
  $("harness-title").textContent = title;
  $("harness-out").replaceChildren(...(node ? [node] : []));
  $("harness-box").hidden = !node;
}

function inlineDiagnostics(code, diags) {
  const shown = (d) => !d.file || d.file === "src/main.rs" || d.file === "src/lib.rs";
  view.dispatch(setDiagnostics(view.state, editorDiagnostics(code, diags, shown)));
}

// ---- the output timeline: a result's events replayed with their delays ----
// Each pane shows its stream's text since the last form feed in it, so a program can
// animate by printing "\f" and a new frame. A new run, Stream or Stop ends a replay.
let replay = null; // the replay playing, if any
let timeline = null; // the last result's timeline: {events, mode, status}

function paneWriter() {
  const text = { stdout: "", stderr: "" };
  const dirty = new Set();
  return {
    write(e) {
      const s = e.stream === "stderr" ? "stderr" : "stdout";
      let t = text[s] + (typeof e.message === "string" ? e.message : "");
      const ff = t.lastIndexOf("\f");
      if (ff >= 0) t = t.slice(ff + 1);
      text[s] = t;
      dirty.add(s);
    },
    flush() {
      for (const s of dirty) show(s, text[s]);
      dirty.clear();
    },
  };
}

function timelineUi(state, label) {
  $("timeline").hidden = false;
  $("timeline-label").textContent = label;
  $("replay-stop").hidden = state !== "playing";
  $("replay-skip").hidden = state !== "playing";
  $("replay-again").hidden = state === "playing";
}

function setStatus(text, cls) {
  $("status").textContent = text;
  $("status").className = "status " + cls;
}

function playTimeline(t) {
  stopReplay();
  show("stdout", "");
  show("stderr", "");
  const total = formatNs(duration(t.events));
  const writer = paneWriter();
  let shown = 0;
  setStatus(`Replaying the output (${t.mode} time)…`, "busy");
  timelineUi("playing", `0 ms of ${total}`);
  const handle = play(t.events, {
    write: writer.write,
    flush(elapsed) {
      shown = elapsed;
      writer.flush();
      $("timeline-label").textContent = `${formatNs(elapsed)} of ${total}`;
    },
    done(finished) {
      replay = null;
      setStatus(t.status.text, t.status.cls);
      timelineUi(
        finished ? "done" : "stopped",
        finished
          ? `Output timeline: ${total} (${t.mode} time)`
          : `Stopped at ${formatNs(shown)} of ${total}`,
      );
    },
  });
  if (handle.playing) replay = handle;
}

function stopReplay() {
  replay?.stop();
  replay = null;
}

function hideTimeline() {
  stopReplay();
  timeline = null;
  $("timeline").hidden = true;
}

$("replay-stop").addEventListener("click", stopReplay);
$("replay-skip").addEventListener("click", () => replay?.skip());
$("replay-again").addEventListener("click", () => timeline && playTimeline(timeline));

let running = null;
async function run() {
  if (running || socket) return;
  hideTimeline();
  const code = view.state.doc.toString();
  const time = $("realtime").checked ? "real" : "virtual";
  const body = {
    code,
    harness: $("harness").value || "bin",
    channel: $("channel").value || "stable",
    edition: $("edition").value,
    mode: $("mode").value,
    time,
  };
  const args = collectArgs();
  if (Object.keys(args).length) body.args = args;
  save({ code, harness: body.harness, args: { ...settings.args, [body.harness]: args } });
  $("run").disabled = true;
  $("status").textContent = "Running…";
  $("status").className = "status busy";
  view.dispatch(setDiagnostics(view.state, []));
  running = getJson("/api/v1/run", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  try {
    const r = await running;
    const doc = view.state.doc.toString();
    // Offsets refer to the text that was sent; skip them if it has changed since.
    if (doc === code) inlineDiagnostics(code, r.compile?.diagnostics);
    show("compile", r.compile?.stderr);
    showHarness(body.harness, r.run?.harness);
    const status = resultStatus(r);
    if (isTimed(r.run?.events)) {
      // Output that came over time is played back over time; otherwise all at once.
      timeline = { events: r.run.events, mode: time, status };
      playTimeline(timeline);
    } else {
      show("stdout", r.run?.stdout);
      show("stderr", r.run?.stderr);
      setStatus(status.text, status.cls);
    }
  } catch (e) {
    for (const id of ["compile", "stdout", "stderr", "harness"]) show(id, "");
    $("status").textContent = "Error: " + e.message;
    $("status").className = "status bad";
  } finally {
    running = null;
    $("run").disabled = false;
  }
}
$("run").addEventListener("click", run);
document.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !view.hasFocus) {
    e.preventDefault();
    run();
  }
});

// ---- streaming: the Rust Playground's /websocket protocol ----
let socket = null;
let streamSeq = 0;
// The live pane holds what arrived since the last form feed, drawn as the other panes
// are (colours, pictures); a last line that may become an `IMAGE:` line waits for its
// newline until the stream ends.
let liveText = "";
function liveWrite(text, { final = false } = {}) {
  const out = $("live-out");
  liveText += text;
  const ff = liveText.lastIndexOf("\f");
  if (ff >= 0) liveText = liveText.slice(ff + 1);
  renderAnsi(out, liveText, { images: true, partial: !final });
  out.parentElement.scrollIntoView?.({ block: "nearest" });
}
function streamEnd(text, ok) {
  liveWrite("", { final: true });
  $("status").textContent = text;
  $("status").className = "status " + (ok ? "ok" : "bad");
  $("stream").disabled = false;
  $("run").disabled = false;
  $("stdin").disabled = true;
  $("kill").disabled = true;
  const s = socket;
  socket = null;
  if (s && s.readyState <= 1) s.close();
}
function wsSend(type, payload) {
  if (!socket || socket.readyState !== 1) return;
  const m = { type, meta: { sequenceNumber: streamSeq } };
  if (payload !== undefined) m.payload = payload;
  socket.send(JSON.stringify(m));
}
function stream() {
  if (socket || running) return;
  hideTimeline();
  const code = view.state.doc.toString();
  save({ code });
  for (const id of ["compile", "stdout", "stderr", "harness"]) show(id, "");
  liveText = "";
  $("live-out").replaceChildren();
  $("live-box").hidden = false;
  $("stdin").disabled = false;
  $("kill").disabled = false;
  $("stream").disabled = true;
  $("run").disabled = true;
  $("status").textContent = "Connecting…";
  $("status").className = "status busy";
  view.dispatch(setDiagnostics(view.state, []));
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/websocket`);
  socket = ws;
  streamSeq += 1;
  const seq = streamSeq;
  let ended = false;
  ws.addEventListener("open", () => {
    ws.send(
      JSON.stringify({
        type: "websocket/connected",
        payload: { iAcceptThisIsAnUnsupportedApi: true },
        meta: { sequenceNumber: 0 },
      }),
    );
  });
  ws.addEventListener("message", (e) => {
    let m;
    try {
      m = JSON.parse(e.data);
    } catch {
      return;
    }
    const p = m.payload;
    switch (m.type) {
      case "websocket/connected":
        $("status").textContent = "Streaming: compiling…";
        ws.send(
          JSON.stringify({
            type: "output/execute/wsExecuteRequest",
            payload: {
              channel: $("channel").value || "stable",
              mode: $("mode").value,
              edition: $("edition").value,
              crateType: "bin",
              tests: false,
              backtrace: false,
              code,
            },
            meta: { sequenceNumber: seq },
          }),
        );
        break;
      case "output/execute/wsExecuteBegin":
        if (m.meta?.sequenceNumber === seq) $("status").textContent = "Streaming: running…";
        break;
      case "output/execute/wsExecuteStdout":
      case "output/execute/wsExecuteStderr":
        if (m.meta?.sequenceNumber === seq && typeof p === "string") liveWrite(p);
        break;
      case "output/execute/wsExecuteEnd":
        if (m.meta?.sequenceNumber !== seq) break;
        ended = true;
        streamEnd(`${p?.success ? "success" : "failed"} · ${p?.exitDetail || ""}`, !!p?.success);
        break;
      case "websocket/error":
        ended = true;
        liveWrite(`\nError: ${p?.error ?? "unknown"}\n`);
        streamEnd(`Error: ${p?.error ?? "unknown"}`, false);
        break;
    }
  });
  ws.addEventListener("close", () => {
    if (socket === ws && !ended) streamEnd("Error: the connection closed", false);
  });
  ws.addEventListener("error", () => {
    if (socket === ws && !ended) streamEnd("Error: the connection failed", false);
  });
}
$("stream").addEventListener("click", stream);
$("stdin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  wsSend("output/execute/wsExecuteStdin", $("stdin").value + "\n");
  $("stdin").value = "";
});
$("stdin").addEventListener("keydown", (e) => {
  // Ctrl-D closes stdin, as in a terminal.
  if (e.key === "d" && e.ctrlKey) {
    e.preventDefault();
    wsSend("output/execute/wsExecuteStdinClose");
  }
});
$("kill").addEventListener("click", () => wsSend("output/execute/wsExecuteKill"));

// ---- sharing ----
$("share").addEventListener("click", async () => {
  $("share").disabled = true;
  try {
    const r = await getJson("/meta/gist", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: view.state.doc.toString() }),
    });
    const url = `${location.origin}/p/${encodeURIComponent(r.id)}`;
    $("share-url").value = url;
    $("share-box").hidden = false;
    $("share-url").select();
    navigator.clipboard?.writeText(url).catch(() => {});
  } catch (e) {
    $("status").textContent = "Share failed: " + e.message;
    $("status").className = "status bad";
  } finally {
    $("share").disabled = false;
  }
});

// ---- links: /p/<id>, /?gist=ID, /?code=…&version=…&edition=…&mode=… ----
// A value from a link may name a channel this server lacks: keep it visible (the run
// then answers which channels exist) rather than silently running another.
function choose(select, value) {
  if (![...select.options].some((o) => o.value === value)) {
    const o = document.createElement("option");
    o.value = o.textContent = value;
    select.append(o);
  }
  select.value = value;
}

async function loadFromUrl() {
  const q = new URLSearchParams(location.search);
  const p = location.pathname.match(/^\/p\/([A-Za-z0-9_-]+)$/);
  const gist = p ? p[1] : q.get("gist");
  if (q.has("version")) choose($("channel"), q.get("version"));
  if (q.has("channel")) choose($("channel"), q.get("channel"));
  if (q.has("edition")) choose($("edition"), q.get("edition"));
  if (q.has("mode")) choose($("mode"), q.get("mode"));
  if (q.has("harness") && harnesses.some((h) => h.id === q.get("harness"))) {
    $("harness").value = q.get("harness");
    let args;
    try {
      args = q.has("args") ? JSON.parse(q.get("args")) : undefined;
    } catch {
      args = undefined;
    }
    argsForm(args && typeof args === "object" ? args : undefined);
  }
  if (gist) {
    try {
      setCode(shareText((await getJson(`/meta/gist/${encodeURIComponent(gist)}`)).code));
      $("status").textContent = `Loaded snippet ${gist}.`;
    } catch (e) {
      $("status").textContent = `Could not load snippet ${gist}: ${e.message}`;
      $("status").className = "status bad";
    }
  } else if (q.has("code")) {
    setCode(q.get("code"));
  }
}

loadPickers()
  .then(() => {
    if (settings.edition) $("edition").value = settings.edition;
    if (settings.mode) $("mode").value = settings.mode;
    $("realtime").checked = settings.time === "real";
    return loadFromUrl();
  })
  .then(updateTools, updateTools)
  .finally(() => {
    document.body.dataset.ready = "true";
  });
