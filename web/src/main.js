// corral's page: a CodeMirror 6 editor over the native API of `corral serve`.
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { Compartment, Prec } from "@codemirror/state";
import { rust } from "@codemirror/lang-rust";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { oneDark } from "@codemirror/theme-one-dark";
import { renderAnsi } from "./ansi.js";
import { byteToUtf16, lineColumnToUtf16 } from "./offsets.js";

const $ = (id) => document.getElementById(id);
const STORE = "corral.settings";
const DEFAULT_CODE = 'fn main() {\n    println!("Hello, corral!");\n}\n';

function loadSettings() {
  try {
    return JSON.parse(localStorage.getItem(STORE)) || {};
  } catch {
    return {};
  }
}
const settings = loadSettings();
function save(patch) {
  Object.assign(settings, patch);
  try {
    localStorage.setItem(STORE, JSON.stringify(settings));
  } catch {
    // Storage may be disabled; settings then last for the visit.
  }
}

// ---- theme: the system's, unless the user chose one ----
const media = window.matchMedia("(prefers-color-scheme: dark)");
const themeSlot = new Compartment();
function isDark() {
  return settings.theme ? settings.theme === "dark" : media.matches;
}
function applyTheme() {
  const dark = isDark();
  document.documentElement.dataset.theme = dark ? "dark" : "light";
  $("theme").setAttribute("aria-pressed", String(dark));
  $("theme").title = dark ? "Switch to light mode" : "Switch to dark mode";
  if (view) view.dispatch({ effects: themeSlot.reconfigure(dark ? oneDark : []) });
}
media.addEventListener("change", applyTheme);

// ---- the editor ----
let view = null;
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
    themeSlot.of(isDark() ? oneDark : []),
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
applyTheme();

function setCode(code) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } });
  save({ code });
}

// ---- pickers ----
let harnesses = [];
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

function argsForm() {
  const form = $("args");
  const h = harnesses.find((x) => x.id === $("harness").value);
  form.replaceChildren();
  form.hidden = !h || h.args.length === 0;
  if (!h) return;
  const saved = (settings.args || {})[h.id] || {};
  for (const a of h.args) {
    const label = document.createElement("label");
    const name = document.createElement("span");
    name.textContent = a.name + (a.required ? " *" : "");
    label.append(name);
    let input;
    if (a.type === "enum") {
      input = document.createElement("select");
      fillSelect(input, a.values.map((v) => [v, v]), saved[a.name] ?? a.default);
    } else if (a.type === "list" || a.name === "body") {
      input = document.createElement("textarea");
      input.rows = 2;
      const v = saved[a.name] ?? a.default ?? "";
      input.value = Array.isArray(v) ? v.join("\n") : v;
      if (a.type === "list") input.placeholder = "one per line";
    } else {
      input = document.createElement("input");
      input.value = saved[a.name] ?? a.default ?? "";
      if (a.max_len) input.maxLength = a.max_len;
    }
    input.name = a.name;
    input.dataset.kind = a.type;
    input.title = a.description || "";
    input.addEventListener("change", () => save({ args: { ...settings.args, [h.id]: collectArgs() } }));
    label.append(input);
    form.append(label);
  }
}

function collectArgs() {
  const args = {};
  for (const el of $("args").elements) {
    if (!el.name) continue;
    if (el.dataset.kind === "list") {
      args[el.name] = el.value.split("\n").filter((l) => l.trim() !== "");
    } else if (el.value !== "") {
      args[el.name] = el.value;
    }
  }
  return args;
}

async function getJson(url, init) {
  const res = await fetch(url, init);
  let body;
  try {
    body = await res.json();
  } catch {
    body = { error: `${res.status} ${res.statusText}` };
  }
  if (!res.ok) throw new Error(body.error || `${res.status} ${res.statusText}`);
  return body;
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
$("harness").addEventListener("change", () => {
  save({ harness: $("harness").value });
  $("harness").title = harnesses.find((h) => h.id === $("harness").value)?.description ?? "";
  argsForm();
});
$("args").addEventListener("submit", (e) => {
  e.preventDefault();
  run();
});

// ---- running ----
function show(id, text) {
  const box = $(id + "-box");
  box.hidden = !text;
  renderAnsi($(id === "compile" ? "compile-out" : id === "harness" ? "harness-out" : id), text || "");
}

function inlineDiagnostics(code, diags) {
  const out = [];
  const len = view.state.doc.length;
  for (const d of diags || []) {
    if (d.in_harness || (d.file && d.file !== "src/main.rs" && d.file !== "src/lib.rs")) continue;
    let from;
    let to;
    if (d.byte_start != null) {
      from = byteToUtf16(code, d.byte_start);
      to = byteToUtf16(code, d.byte_end ?? d.byte_start);
    } else if (d.line_start != null) {
      from = lineColumnToUtf16(code, d.line_start, d.column_start ?? 1);
      to = lineColumnToUtf16(code, d.line_end ?? d.line_start, d.column_end ?? d.column_start ?? 1);
    } else continue;
    from = Math.min(from, len);
    to = Math.min(Math.max(to, from), len);
    const severity = d.level === "error" ? "error" : d.level === "warning" ? "warning" : "info";
    out.push({ from, to, severity, source: d.code || "rustc", message: d.message });
  }
  view.dispatch(setDiagnostics(view.state, out));
}

let running = null;
async function run() {
  if (running) return;
  const code = view.state.doc.toString();
  const body = {
    code,
    harness: $("harness").value || "bin",
    channel: $("channel").value || "stable",
    edition: $("edition").value,
    mode: $("mode").value,
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
    show("stdout", r.run?.stdout);
    show("stderr", r.run?.stderr);
    const h = r.run?.harness;
    show("harness", h && Object.keys(h).length ? JSON.stringify(h, null, 2) : "");
    const parts = [r.status.replace(/_/g, " ")];
    if (r.run?.exit_code != null) parts.push(`exit ${r.run.exit_code}`);
    if (r.limit) parts.push(`limit: ${typeof r.limit === "string" ? r.limit : JSON.stringify(r.limit)}`);
    if (r.compile?.wall_ms != null) parts.push(`compile ${r.compile.wall_ms} ms`);
    if (r.run?.wall_ms != null) parts.push(`run ${r.run.wall_ms} ms`);
    if (r.cached) parts.push("cached");
    $("status").textContent = parts.join(" · ");
    $("status").className = "status " + (r.status === "success" ? "ok" : "bad");
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

$("theme").addEventListener("click", () => {
  save({ theme: isDark() ? "light" : "dark" });
  applyTheme();
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
  if (gist) {
    try {
      setCode((await getJson(`/meta/gist/${encodeURIComponent(gist)}`)).code);
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
    return loadFromUrl();
  })
  .finally(() => {
    document.body.dataset.ready = "true";
  });
