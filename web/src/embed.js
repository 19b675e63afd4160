// corral's embed script: turns code blocks on any page into runnable snippets against
// the corral server it was loaded from.
//
//   <script defer src="https://corral.example/embed.js"></script>
//
// Script attributes (all optional): data-selector (default: Rust blocks as Markdown
// renderers and mdBook write them), data-harness (default "doctest"), data-edition,
// data-channel, data-mode, data-time ("virtual" or "real"), data-server (another base URL).
// Per block, on the <code> or its <pre>: data-corral-harness, data-corral-args (JSON),
// data-corral-edition, data-corral-channel, data-corral-mode, data-corral-time; or
// info-string words in the class (```rust,harness=test,edition2021 → class
// "language-rust,harness=test,edition2021"); `ignore` leaves a block alone. rustdoc's
// `should_panic`, `compile_fail` (with error codes, e.g. `E0382`) and `no_run` set what
// counts as success (see attributes.js); the last two only compile (the program is not
// run: the run step gets no time).
//
// rustdoc's hidden lines (`# `) are hidden as mdBook hides them, with a toggle, and are
// sent. With the doctest harness the server applies rustdoc's rules to the text as
// written; with any other harness the script sends the lines unmarked.
//
// The same file drives corral's own frame page (/embed?code=…, /embed/p/<id>), which
// marks its <html> with data-corral-frame.
//
// Program output only ever reaches the page as text (textContent; colours parsed), or as
// an <img> for an `IMAGE:` line of base64 picture data (images.js).
import { renderAnsi } from "./ansi.js";
import { el } from "./dom.js";
import { compileOnly, infoWords, interpret, parseAttributes, runLabel } from "./attributes.js";
import { parseExample, programText } from "./hidden.js";
import { isTimed, play } from "./replay.js";
import { responseText } from "./harness-view.js";
import { shareText } from "./share.js";

const script = document.currentScript;
const config = script?.dataset || {};
const base = config.server
  ? new URL(config.server.replace(/\/?$/, "/"), location.href)
  : new URL(".", script?.src || location.href);
const frame = document.documentElement.hasAttribute("data-corral-frame");
const DEFAULT_SELECTOR = 'pre > code.language-rust, pre > code[class*="language-rust,"]';

// Info-string words: from the class of the <code> and of its <pre>.
function words(code) {
  return [code, code.closest("pre")]
    .flatMap((e) => (e ? infoWords(e.getAttribute("class")) : []));
}

function attr(code, name) {
  return code.dataset[name] ?? code.closest("pre")?.dataset[name];
}

function options(code) {
  const info = parseAttributes(words(code));
  let args;
  let argsError = null;
  const rawArgs = attr(code, "corralArgs");
  if (rawArgs) {
    try {
      args = JSON.parse(rawArgs);
    } catch (e) {
      argsError = `data-corral-args is not JSON (${e.message})`;
    }
  }
  return {
    ignore: info.ignore || attr(code, "corralIgnore") != null,
    harness: attr(code, "corralHarness") || info.harness || config.harness || "doctest",
    edition: attr(code, "corralEdition") || info.edition || config.edition,
    expect: info.expect,
    errorCodes: info.errorCodes,
    channel: attr(code, "corralChannel") || config.channel,
    mode: attr(code, "corralMode") || config.mode,
    time: attr(code, "corralTime") || config.time,
    args,
    argsError,
  };
}

// Output as it came: stdout and stderr interleaved in one pane (stderr marked); a form
// feed in a message clears the pane.
function outputWriter(target) {
  let parts = [];
  return {
    write(e) {
      let text = typeof e.message === "string" ? e.message : "";
      const ff = text.lastIndexOf("\f");
      if (ff >= 0) {
        parts = [];
        text = text.slice(ff + 1);
      }
      if (!text) return;
      const stream = e.stream === "stderr" ? "stderr" : "stdout";
      const last = parts[parts.length - 1];
      if (last?.stream === stream) last.text += text;
      else parts.push({ stream, text });
    },
    flush() {
      target.replaceChildren(
        ...parts.map((p) => {
          const span = el("span", p.stream === "stderr" ? "corral-stderr" : "");
          renderAnsi(span, p.text, { images: true });
          return span;
        }),
      );
      target.hidden = parts.length === 0;
    },
  };
}

function enhance(code) {
  if (code.dataset.corralReady) return;
  const opts = options(code);
  if (opts.ignore) return;
  code.dataset.corralReady = "true";
  const raw = code.textContent;
  const example = parseExample(raw);
  const source = opts.harness === "doctest" ? (raw.endsWith("\n") ? raw : raw + "\n") : programText(example.lines);

  // The block as rustdoc shows it: hidden lines hidden (each line keeps its newline, so
  // the text stays the program's when they are shown).
  const hidden = [];
  if (example.changed) {
    code.replaceChildren(
      ...example.lines.map((l) => {
        if (!l.hidden) return document.createTextNode(l.code + "\n");
        const span = el("span", "corral-hidden", l.code + "\n");
        span.hidden = true;
        hidden.push(span);
        return span;
      }),
    );
  }

  const snippet = el("div", "corral-snippet");
  const bar = el("div", "corral-bar");
  const label = runLabel(opts.expect, opts.harness);
  const runButton = el("button", "corral-run", label.text);
  runButton.type = "button";
  runButton.title = label.title;
  if (opts.expect !== "run") snippet.dataset.expect = opts.expect;
  bar.append(runButton);
  if (hidden.length) {
    const toggle = el("button", "corral-toggle", "Show hidden lines");
    toggle.type = "button";
    toggle.setAttribute("aria-pressed", "false");
    toggle.addEventListener("click", () => {
      const show = toggle.getAttribute("aria-pressed") !== "true";
      for (const s of hidden) s.hidden = !show;
      toggle.setAttribute("aria-pressed", String(show));
      toggle.textContent = show ? "Hide hidden lines" : "Show hidden lines";
    });
    bar.append(toggle);
  }
  const skip = el("button", "corral-skip", "» Skip");
  skip.type = "button";
  skip.title = "Show the rest of the output at once";
  skip.hidden = true;
  bar.append(skip);
  const link = new URLSearchParams({ code: source, harness: opts.harness });
  if (opts.edition) link.set("edition", opts.edition);
  if (opts.channel) link.set("version", opts.channel);
  if (opts.mode) link.set("mode", opts.mode);
  if (opts.args) link.set("args", JSON.stringify(opts.args));
  const open = el("a", "corral-open", "Open in playground");
  open.href = new URL("?" + link, base).href;
  open.target = "_blank";
  open.rel = "noopener";
  bar.append(open);
  const status = el("span", "corral-status");
  status.setAttribute("aria-live", "polite");
  bar.append(status);

  const output = el("div", "corral-output");
  output.hidden = true;
  const compileOut = el("pre", "corral-compile");
  const runOut = el("pre", "corral-out");
  const harnessOut = el("pre", "corral-harness");
  output.append(compileOut, runOut, harnessOut);
  snippet.append(bar, output);
  (code.closest("pre") || code).after(snippet);

  let replay = null;
  skip.addEventListener("click", () => replay?.skip());

  function finish(text, ok) {
    status.textContent = text;
    status.className = "corral-status " + (ok ? "corral-ok" : "corral-bad");
    snippet.dataset.state = "done";
  }

  async function run() {
    replay?.stop();
    replay = null;
    skip.hidden = true;
    runButton.disabled = true;
    snippet.dataset.state = "running";
    status.textContent = compileOnly(opts.expect) ? "Compiling…" : "Running…";
    status.className = "corral-status";
    output.hidden = false;
    for (const p of [compileOut, runOut, harnessOut]) {
      p.replaceChildren();
      p.hidden = true;
    }
    if (opts.argsError) {
      runButton.disabled = false;
      return finish(`Error: ${opts.argsError}`, false);
    }
    const body = { code: source, harness: opts.harness };
    for (const k of ["edition", "channel", "mode", "time", "args"]) if (opts[k]) body[k] = opts[k];
    // Compile only: the run step gets no time, so the program is stopped as it starts
    // (the run API has no compile-only switch that keeps the harness's rules).
    if (compileOnly(opts.expect)) body.compile_only = true;
    let r;
    try {
      const res = await fetch(new URL("api/v1/run", base), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      try {
        r = await res.json();
      } catch {
        r = { error: `${res.status} ${res.statusText}` };
      }
      if (!res.ok) throw new Error(r.error || `${res.status} ${res.statusText}`);
    } catch (e) {
      runButton.disabled = false;
      return finish(`Error: ${e.message}`, false);
    }
    runButton.disabled = false;
    const verdict = interpret(r, opts);
    if (verdict.showCompile && r.compile?.stderr) {
      renderAnsi(compileOut, r.compile.stderr);
      compileOut.hidden = false;
    }
    const h = r.run?.harness;
    if (verdict.showRun && h && Object.keys(h).length && typeof h.passed !== "number") {
      harnessOut.textContent = opts.harness === "rocket-request" ? responseText(h) : JSON.stringify(h, null, 2);
      harnessOut.hidden = false;
    }
    // Output that came over time is played back over time (interleaved as it came);
    // otherwise stdout, then stderr, at once (as the page shows them).
    const events = !verdict.showRun
      ? []
      : isTimed(r.run?.events)
        ? r.run.events
        : [
            { message: r.run?.stdout || "", stream: "stdout", delay_ns: 0 },
            { message: r.run?.stderr || "", stream: "stderr", delay_ns: 0 },
          ];
    const writer = outputWriter(runOut);
    if (isTimed(events)) {
      status.textContent = "Replaying the output…";
      snippet.dataset.state = "replaying";
      skip.hidden = false;
    }
    const handle = play(events, {
      write: writer.write,
      flush: writer.flush,
      done() {
        replay = null;
        skip.hidden = true;
        finish(verdict.text, verdict.ok);
      },
    });
    if (handle.playing) replay = handle;
  }
  runButton.addEventListener("click", run);
}

/** Makes every matching block under `root` runnable (again safe on the same blocks). */
function scan(root = document) {
  for (const code of root.querySelectorAll(config.selector || DEFAULT_SELECTOR)) enhance(code);
}

function stylesheet() {
  const href = new URL("assets/embed.css", base).href;
  if ([...document.querySelectorAll("link[rel=stylesheet]")].some((l) => l.href === href)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.append(link);
}

// corral's frame page: one snippet from the URL (?code=… or /embed/p/<id>).
async function buildFrame() {
  const root = document.getElementById("corral-embed");
  const q = new URLSearchParams(location.search);
  if (q.get("theme") === "dark" || q.get("theme") === "light") document.documentElement.dataset.theme = q.get("theme");
  let code = q.get("code");
  const shared = location.pathname.match(/\/embed\/p\/([A-Za-z0-9_-]+)$/);
  if (shared) {
    try {
      const res = await fetch(new URL(`meta/gist/${encodeURIComponent(shared[1])}`, base));
      const body = await res.json();
      if (!res.ok) throw new Error(body.error || `${res.status}`);
      code = shareText(body.code);
    } catch (e) {
      root.replaceChildren(el("p", "corral-bad", `Could not load snippet ${shared[1]}: ${e.message}`));
      return;
    }
  }
  if (typeof code !== "string") {
    root.replaceChildren(el("p", "corral-bad", "No code: use /embed?code=… or /embed/p/<id>."));
    return;
  }
  const pre = el("pre");
  const block = el("code", "language-rust", code);
  const names = { harness: "corralHarness", edition: "corralEdition", version: "corralChannel", channel: "corralChannel", mode: "corralMode", time: "corralTime", args: "corralArgs" };
  for (const [key, name] of Object.entries(names)) if (q.has(key)) block.dataset[name] = q.get(key);
  pre.append(block);
  root.replaceChildren(pre);
  enhance(block);
}

function start() {
  if (frame) {
    buildFrame().finally(() => (document.body.dataset.ready = "true"));
  } else {
    stylesheet();
    scan();
  }
}

window.corralEmbed = { scan };
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
