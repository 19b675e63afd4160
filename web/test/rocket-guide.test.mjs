// Rocket's guide on a documentation site, run through the embed: every chapter of the
// vendored guide (third_party/rocket-guide, Rocket v0.5.1) is rendered as mdBook renders
// a book (fenced blocks as <pre><code class="language-rust no_run edition2021">, text
// HTML-escaped, hidden `# ` lines as written), served from another origin with corral's
// /embed.js, and every runnable block's Run (or Build) button is clicked: each must end
// as its rustdoc attributes say (run, compiled only for `no_run`, panicked for
// `should_panic`, failed to compile for `compile_fail`). `ignore` blocks and other
// languages are left alone. See ../test-support.mjs for the setup.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { env, freePort, open, root, setup, teardown } from "../test-support.mjs";

// The runnable blocks of the guide at v0.5.1 (the Rust test counts the same).
const RUNNABLE = 162;
const GUIDE = join(root, "third_party/rocket-guide/guide");

// One reader clicks at a time on a real site; here every block is clicked, more than
// the default rate limit allows a client in a minute: this server has none.
const configDir = mkdtempSync(join(tmpdir(), "corral-guide-config-"));
writeFileSync(join(configDir, "corral.toml"), "[server]\nrate_per_minute = 0\n");
process.env.CORRAL_CONFIG = join(configDir, "corral.toml");

const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The fenced blocks of a Markdown text, with the text between them: [{line, info, code}|{text}]. */
function parts(markdown) {
  const out = [];
  let open = null;
  let text = [];
  markdown.split("\n").forEach((line, i) => {
    const m = /^( *)(`{3,}|~{3,})(.*)$/.exec(line);
    if (!open) {
      if (m) {
        out.push({ text: text.join("\n") });
        text = [];
        open = { line: i + 1, indent: m[1].length, fence: m[2], info: m[3].trim(), lines: [] };
      } else text.push(line);
    } else if (m && m[2][0] === open.fence[0] && m[2].length >= open.fence.length && !m[3].trim()) {
      out.push({ line: open.line, info: open.info, code: open.lines.map((l) => l + "\n").join("") });
      open = null;
    } else {
      // CommonMark: a fence's indentation (as in a list item) is taken off its lines.
      const strip = Math.min(open.indent, line.length - line.trimStart().length);
      open.lines.push(line.slice(strip));
    }
  });
  out.push({ text: text.join("\n") });
  return out;
}

/** rustdoc's reading of an info string: null when not a runnable Rust doctest, else what it expects. */
function doctest(info) {
  const words = info.split(/[\s,]+/).filter(Boolean);
  const known = /^(rust|should_panic|no_run|compile_fail|test_harness|standalone_crate|ignore(-.*)?|edition\d{4}|E\d{4})$/;
  const other = words.some((w) => !known.test(w));
  if ((other && !words.includes("rust")) || words.some((w) => /^ignore(-.*)?$/.test(w))) return null;
  if (words.includes("compile_fail")) return "compile_fail";
  if (words.includes("no_run")) return "no_run";
  if (words.includes("should_panic")) return "panic";
  return "run";
}

/** A chapter as mdBook renders it (book.toml's edition 2021, as the guide is tested). */
function chapter(file) {
  const blocks = [];
  let html = `<section><h1>${escape(file)}</h1>\n`;
  for (const p of parts(readFileSync(join(GUIDE, file), "utf8"))) {
    if (p.code == null) {
      for (const para of p.text.split(/\n\s*\n/).filter((s) => s.trim())) html += `<p>${escape(para.trim())}</p>\n`;
      continue;
    }
    const words = p.info.split(/[\s,]+/).filter(Boolean);
    // mdBook: info words become classes (commas to spaces), `language-` on the first;
    // a Rust block without an edition gets the book's; a block with no info is Rust.
    const lang = words[0] || "rust";
    const classes = [`language-${lang}`, ...words.slice(1)];
    const expect = doctest(p.info);
    const isRust = lang === "rust" || expect != null;
    if (isRust && !classes.some((c) => /^edition\d{4}$/.test(c))) classes.push("edition2021");
    const id = `b${file.slice(0, 2)}-${p.line}`;
    html += `<pre${isRust && !classes.includes("ignore") ? ' class="playground"' : ""}><code id="${id}" class="${escape(classes.join(" "))}">${escape(p.code)}</code></pre>\n`;
    if (expect) blocks.push({ id, file, line: p.line, expect });
  }
  return { html: html + "</section>\n", blocks };
}

const chapters = readdirSync(GUIDE)
  .filter((f) => f.endsWith(".md"))
  .sort()
  .map(chapter);
const blocks = chapters.flatMap((c) => c.blocks);

function guidePage(corral) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Rocket's guide, runnable</title>
<style>body { font: 15px/1.5 Georgia, serif; max-width: 50em; margin: 2em auto; } pre { background: #f4f1ea; padding: 8px; overflow: auto; }</style>
<script defer src="${corral}/embed.js"></script>
</head>
<body>
${chapters.map((c) => c.html).join("")}
</body>
</html>`;
}

let docs = null;

before(async () => {
  await setup();
  if (env.skip) return;
  const port = await freePort();
  const page = guidePage(env.base);
  const server = createServer((req, res) => {
    if (req.url === "/" || req.url === "/index.html") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(page);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  docs = { server, base: `http://127.0.0.1:${port}` };
});

after(async () => {
  await new Promise((ok) => (docs ? docs.server.close(ok) : ok()));
  await teardown();
  rmSync(configDir, { recursive: true, force: true });
});

test("the guide's page has every runnable block the Rust test counts", () => {
  assert.equal(blocks.length, RUNNABLE);
  const count = (e) => blocks.filter((b) => b.expect === e).length;
  assert.deepEqual({ run: count("run"), no_run: count("no_run") }, { run: 156, no_run: 6 });
});

test("every runnable block of Rocket's guide runs on the page", { timeout: 30 * 60_000 }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const started = Date.now();
  const page = await open(t, docs.base + "/", { ready: false, viewport: { width: 1100, height: 1400 } });
  await page.waitForSelector(".corral-snippet");
  const snippets = page.locator(".corral-snippet");
  assert.equal(await snippets.count(), RUNNABLE, "a Run button for each runnable block, none for ignore or other languages");

  // Click every button at once: the browser keeps a few requests in flight, the server
  // two workers busy.
  await page.evaluate(() => {
    for (const b of document.querySelectorAll(".corral-snippet .corral-run")) b.click();
  });
  await page.waitForFunction(
    () => [...document.querySelectorAll(".corral-snippet")].every((s) => s.dataset.state === "done"),
    null,
    { timeout: 25 * 60_000, polling: 500 },
  );
  const results = await page.evaluate(() =>
    [...document.querySelectorAll(".corral-snippet")].map((s) => {
      const code = s.previousElementSibling.querySelector("code");
      const status = s.querySelector(".corral-status");
      return {
        id: code.id,
        ok: status.classList.contains("corral-ok"),
        status: status.textContent,
        label: s.querySelector(".corral-run").textContent,
        compile: s.querySelector(".corral-compile")?.textContent.slice(-1500) || "",
        out: s.querySelector(".corral-out")?.textContent.slice(-1500) || "",
      };
    }),
  );
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const failures = [];
  for (const r of results) {
    const b = byId.get(r.id);
    const want = b.expect === "no_run" ? /^compiled \(not run: no_run\)$/ : b.expect === "panic" ? /^panicked, as expected/ : /^success/;
    const label = b.expect === "no_run" || b.expect === "compile_fail" ? "▶ Build" : "▶ Run";
    if (!r.ok || !want.test(r.status) || r.label !== label) {
      failures.push(`${b.file}:${b.line}: expected ${b.expect}, got "${r.status}" (${r.label})\n${r.compile}\n${r.out}`);
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`the Rocket guide on a page: ${results.length - failures.length} of ${results.length} blocks pass (${seconds} s)`);
  for (const f of failures) console.log(`FAIL ${f}`);
  assert.deepEqual(failures, []);
});
