// corral's tutorials: /learn lists them, /learn/<tutorial>/<lesson> shows a lesson's
// text beside an editor and its output (Run, Check, Show solution, Reset), with the
// learner's code and progress kept in localStorage.
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { EditorState, Prec } from "@codemirror/state";
import { rust } from "@codemirror/lang-rust";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { renderAnsi } from "./ansi.js";
import { el, getJson, loadJson, storeJson } from "./dom.js";
import { harnessView } from "./harness-view.js";
import { editorDiagnostics } from "./offsets.js";
import { resultStatus } from "./result.js";
import { themeSwitch } from "./theme.js";

const $ = (id) => document.getElementById(id);
const SETTINGS = "corral.settings"; // shared with the playground (the theme)
const PROGRESS = "corral.learn";

// ---- progress: {tutorials: {<id>: {done: [lesson ids], current}}, code: {"<t>/<l>": files}} ----
const progress = loadJson(PROGRESS);
progress.tutorials ||= {};
progress.code ||= {};
const saveProgress = () => storeJson(PROGRESS, progress);
function tutorialProgress(id) {
  const p = (progress.tutorials[id] ||= {});
  p.done ||= [];
  return p;
}
const isDone = (t, l) => tutorialProgress(t).done.includes(l);

// ---- theme: the system's, unless the user chose one (on either page) ----
const settings = loadJson(SETTINGS);
let view = null;
const editorTheme = themeSwitch(
  $("theme"),
  settings,
  (theme) => {
    settings.theme = theme;
    storeJson(SETTINGS, { ...loadJson(SETTINGS), theme });
  },
  () => view,
);

function missing(text) {
  $("missing").textContent = text;
  $("missing").hidden = false;
}

// ---- /learn: the tutorials ----
async function showIndex() {
  document.title = "corral: learn Rust and Rocket";
  $("index").hidden = false;
  const { tutorials } = await getJson("/api/v1/tutorials");
  const list = $("tutorial-list");
  for (const t of tutorials) {
    const done = tutorialProgress(t.id).done.filter((l) => t.lessons.some((x) => x.id === l)).length;
    const li = el("li", "tutorial-card");
    const h = el("h2");
    const a = el("a", "", t.title);
    a.href = `/learn/${encodeURIComponent(t.id)}`;
    h.append(a);
    li.append(h, el("p", "", t.description));
    const meta = el("p", "tutorial-meta", `${t.lessons.length} lessons · ${done} done`);
    const go = el("a", "button primary", done ? "Continue" : "Start");
    go.href = a.href;
    meta.append(" ", go);
    li.append(meta);
    list.append(li);
  }
}

// ---- a lesson ----
let lesson = null; // the lesson as /api/v1/tutorials/<t>/<l> answers it
let files = []; // the learner's files: [{name, content}]
let active = 0; // the file in the editor
let busy = false;
const nonce = document.querySelector('meta[name="style-nonce"]')?.content || "";
const codeKey = () => `${lesson.tutorial.id}/${lesson.id}`;

function editorState(doc) {
  return EditorState.create({
    doc,
    extensions: [
      EditorView.cspNonce.of(nonce),
      Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => (run(), true) }])),
      basicSetup,
      rust(),
      lintGutter(),
      editorTheme(),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) scheduleSave();
      }),
    ],
  });
}

let saveTimer = 0;
function scheduleSave() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveCode, 300);
}
function syncEditor() {
  if (view && files[active]) files[active].content = view.state.doc.toString();
}
function saveCode() {
  if (!lesson) return;
  syncEditor();
  const start = JSON.stringify(lesson.files);
  // Only code that differs from the start is kept.
  if (JSON.stringify(files) === start) delete progress.code[codeKey()];
  else progress.code[codeKey()] = files.map((f) => ({ name: f.name, content: f.content }));
  saveProgress();
}
window.addEventListener("pagehide", saveCode);

function setFiles(next) {
  files = next.map((f) => ({ name: f.name, content: f.content }));
  active = 0;
  showTabs();
  view.setState(editorState(files[0]?.content ?? ""));
  window.corralEditor = view;
  saveCode();
}

function showTabs() {
  const tabs = $("tabs");
  tabs.hidden = files.length < 2;
  tabs.replaceChildren(
    ...files.map((f, i) => {
      const b = el("button", "tab", f.name);
      b.type = "button";
      b.setAttribute("role", "tab");
      b.setAttribute("aria-selected", String(i === active));
      b.addEventListener("click", () => {
        syncEditor();
        active = i;
        view.setState(editorState(files[i].content));
        showTabs();
      });
      return b;
    }),
  );
}

// What Run sends: the request of a `rocket-request` lesson, or what runs.
function describeRequest(l) {
  if (l.harness === "rocket-request") {
    const a = l.args || {};
    const lines = [`${a.method || "GET"} ${a.uri || "/"}`];
    for (const h of a.header || []) lines.push(h);
    if (a.body != null) lines.push("", a.body);
    return { label: "Run and Check send this request to your app:", text: lines.join("\n") };
  }
  if (l.harness === "test") return { label: "Run and Check run your tests.", text: "" };
  return { label: "Run and Check run your program.", text: "" };
}

function renderMenu(t) {
  const list = $("menu-list");
  list.replaceChildren(
    ...t.lessons.map((l) => {
      const li = el("li", isDone(t.id, l.id) ? "done" : "");
      const a = el("a", "", l.title);
      a.href = `/learn/${encodeURIComponent(t.id)}/${encodeURIComponent(l.id)}`;
      if (l.id === lesson?.id) a.setAttribute("aria-current", "page");
      li.append(el("span", "mark", isDone(t.id, l.id) ? "✔" : ""), a);
      return li;
    }),
  );
  const done = t.lessons.filter((l) => isDone(t.id, l.id)).length;
  $("progress").textContent = `${done} of ${t.lessons.length} done`;
}

function link(a, target, label) {
  a.hidden = !target;
  if (!target) return;
  a.href = `/learn/${encodeURIComponent(lesson.tutorial.id)}/${encodeURIComponent(target.id)}`;
  a.textContent = label.replace("%", target.title);
}

async function showLesson(tid, lid) {
  try {
    lesson = await getJson(`/api/v1/tutorials/${encodeURIComponent(tid)}/${encodeURIComponent(lid)}`);
  } catch (e) {
    missing(`No such lesson: ${e.message}. `);
    const back = el("a", "", "All tutorials");
    back.href = "/learn";
    $("missing").append(back);
    return;
  }
  const t = lesson.tutorial;
  document.title = `${lesson.title} · ${t.title} · corral`;
  tutorialProgress(t.id).current = lesson.id;
  saveProgress();
  $("crumb-tutorial").hidden = false;
  $("tutorial-link").textContent = t.title;
  $("tutorial-link").href = `/learn/${encodeURIComponent(t.id)}`;
  $("menu").hidden = false;
  $("menu-label").textContent = `Lesson ${lesson.number} of ${t.lessons.length}: ${lesson.title}`;
  renderMenu(t);
  // The lesson's text is the project's own Markdown, rendered to HTML by the server
  // (which shows any raw HTML in it as text).
  $("lesson-text").innerHTML = lesson.html;
  link($("prev"), lesson.previous, "← %");
  link($("next"), lesson.next, "% →");
  const req = describeRequest(lesson);
  $("request").replaceChildren(el("span", "request-label", req.label));
  if (req.text) $("request").append(el("pre", "request-text", req.text));
  $("lesson").hidden = false;
  view = new EditorView({ parent: $("editor"), state: editorState("") });
  setFiles(progress.code[codeKey()] || lesson.files);
  if (isDone(t.id, lesson.id)) verdict(true, "You passed this lesson before.");
}

// ---- running and checking ----
function show(id, text) {
  $(id + "-box").hidden = !text;
  const images = id === "stdout" || id === "stderr";
  renderAnsi($(id === "compile" ? "compile-out" : id), text || "", { images });
}

function showResult(r) {
  show("compile", r.compile?.stderr);
  const { title, node } = harnessView(lesson.harness, r.run?.harness);
  $("harness-title").textContent = title;
  $("harness-out").replaceChildren(...(node ? [node] : []));
  $("harness-box").hidden = !node;
  show("stdout", r.run?.stdout);
  show("stderr", r.run?.stderr);
  const status = resultStatus(r);
  setStatus(status.text, status.cls);
  markDiagnostics(r.compile?.diagnostics);
}

function markDiagnostics(diags) {
  const name = files[active]?.name;
  const shown = (d) => !d.file || d.file === name || (name === "src/main.rs" && d.file === "src/lib.rs");
  view.dispatch(setDiagnostics(view.state, editorDiagnostics(view.state.doc.toString(), diags, shown)));
}

function setStatus(text, cls) {
  $("status").textContent = text;
  $("status").className = "status " + cls;
}

function verdict(passed, text) {
  const box = $("verdict");
  box.hidden = false;
  box.className = "verdict " + (passed ? "passed" : "failed");
  box.replaceChildren(el("strong", "", passed ? "✔ Passed" : "✘ Not yet"), el("span", "verdict-text", " " + text));
  if (passed && lesson.next) {
    const next = el("a", "button primary", `Next: ${lesson.next.title} →`);
    next.href = $("next").href;
    box.append(" ", next);
  }
}

async function send(what) {
  if (busy) return;
  busy = true;
  saveCode();
  for (const id of ["run", "check", "solve", "reset"]) $(id).disabled = true;
  setStatus(what === "check" ? "Checking…" : "Running…", "busy");
  view.dispatch(setDiagnostics(view.state, []));
  const sent = files.map((f) => ({ name: f.name, content: f.content }));
  try {
    let r;
    if (what === "check") {
      const answer = await getJson(
        `/api/v1/tutorials/${encodeURIComponent(lesson.tutorial.id)}/${encodeURIComponent(lesson.id)}/check`,
        { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ files: sent }) },
      );
      r = answer.result;
      const text = answer.verdict.replace(/^(Passed|Not passed): /, "");
      verdict(answer.passed, text);
      if (answer.passed) {
        const p = tutorialProgress(lesson.tutorial.id);
        if (!p.done.includes(lesson.id)) p.done.push(lesson.id);
        saveProgress();
        renderMenu(lesson.tutorial);
      }
    } else {
      $("verdict").hidden = true;
      r = await getJson("/api/v1/run", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ files: sent, harness: lesson.harness, args: lesson.args }),
      });
    }
    showResult(r);
  } catch (e) {
    for (const id of ["compile", "stdout", "stderr"]) show(id, "");
    $("harness-box").hidden = true;
    setStatus("Error: " + e.message, "bad");
  } finally {
    busy = false;
    for (const id of ["run", "check", "solve", "reset"]) $(id).disabled = false;
  }
}
const run = () => send("run");
$("run").addEventListener("click", run);
$("check").addEventListener("click", () => send("check"));
$("solve").addEventListener("click", async () => {
  try {
    const { files: solution } = await getJson(
      `/api/v1/tutorials/${encodeURIComponent(lesson.tutorial.id)}/${encodeURIComponent(lesson.id)}/solution`,
    );
    setFiles(solution);
    setStatus("This is the lesson's solution: press Check, or Reset to start again.", "");
  } catch (e) {
    setStatus("Could not load the solution: " + e.message, "bad");
  }
});
$("reset").addEventListener("click", () => {
  setFiles(lesson.files);
  $("verdict").hidden = true;
  setStatus("Back to the lesson's starting code.", "");
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && view && !view.hasFocus) {
    e.preventDefault();
    run();
  }
});

// ---- routing: /learn, /learn/<tutorial> (its current or first lesson), /learn/<t>/<l> ----
async function route() {
  const parts = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length <= 1) return showIndex();
  const tid = parts[1];
  let lid = parts[2];
  if (!lid) {
    let t;
    try {
      t = await getJson(`/api/v1/tutorials/${encodeURIComponent(tid)}`);
    } catch (e) {
      return missing(`No such tutorial: ${e.message}`);
    }
    const current = tutorialProgress(tid).current;
    lid = t.lessons.some((l) => l.id === current) ? current : t.lessons[0].id;
    history.replaceState(null, "", `/learn/${encodeURIComponent(tid)}/${encodeURIComponent(lid)}`);
  }
  return showLesson(tid, lid);
}

route()
  .catch((e) => missing(`Could not load: ${e.message}`))
  .finally(() => {
    document.body.dataset.ready = "true";
  });
