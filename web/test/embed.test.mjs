// The embed in a real headless Chromium against a real `corral serve`: a documentation
// page served from another origin (a small HTTP server on another loopback port) includes
// corral's /embed.js and frames /embed. See ../test-support.mjs for the setup.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import { env, freePort, open, RUN_TIMEOUT, setup, SHOTS, teardown } from "../test-support.mjs";

let docs = null; // the documentation site: {server, base}

// The examples, as a Markdown renderer writes them (HTML-escaped inside <code>).
const HIDDEN_EXAMPLE = [
  "# fn helper() -> &'static str {",
  '#     "from a hidden helper"',
  "# }",
  "##[derive(Debug)]",
  "struct Shown;",
  'println!("{} {:?} <b>not bold</b>", helper(), Shown);',
  "",
].join("\n");
const TEST_EXAMPLE = [
  "# fn add(a: i32, b: i32) -> i32 { a + b }",
  "#[test]",
  "fn adds() { assert_eq!(add(2, 2), 4); }",
  "#[test]",
  'fn fails() { assert_eq!(add(2, 2), 5, "2 + 2 is not 5"); }',
  "",
].join("\n");
const EXPR_EXAMPLE = "{\n# let x = 6;\n    x * 7\n}\n";
const ROCKET_EXAMPLE = [
  "#[macro_use] extern crate rocket;",
  "",
  '#[get("/hello/<name>")]',
  'fn hello(name: &str) -> String { format!("Hello, {name}!") }',
  "",
  "#[launch]",
  'fn rocket() -> _ { rocket::build().mount("/", routes![hello]) }',
  "",
].join("\n");
// rustdoc's attributes: an example that must panic, one that must not compile (with
// E0382), and one that is only compiled (it would never end).
const PANIC_EXAMPLE = 'let v: Vec<i32> = Vec::new();\nlet first = v.first().expect("the vector is empty");\n';
const COMPILE_FAIL_EXAMPLE = 'let s = String::from("moved");\nlet t = s;\nprintln!("{s} {t}");\n';
const NO_RUN_EXAMPLE = "# use std::{thread, time::Duration};\nloop {\n    thread::sleep(Duration::from_secs(1));\n}\n";
const FRAME_CODE = 'fn main() {\n    println!("framed <i>text</i>");\n}\n';

const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function docsPage(corral) {
  const frame = `${corral}/embed?${new URLSearchParams({ code: FRAME_CODE, harness: "bin", edition: "2021" })}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>A documentation site</title>
<style>body { font: 15px/1.5 Georgia, serif; max-width: 46em; margin: 2em auto; } pre { background: #f4f1ea; padding: 8px; }
iframe { width: 100%; height: 190px; border: 1px solid #ccc; }</style>
<script defer src="${corral}/embed.js"></script>
</head>
<body>
<h1>Runnable examples</h1>
<p>A documentation example with hidden lines (rustdoc's <code>#&nbsp;</code>) and the default doctest harness:</p>
<pre><code id="hidden-example" class="language-rust">${escape(HIDDEN_EXAMPLE)}</code></pre>
<p>Tests, with the harness chosen by an attribute:</p>
<pre><code id="test-example" class="language-rust" data-corral-harness="test">${escape(TEST_EXAMPLE)}</code></pre>
<p>An expression, with the harness in the info string (<code>rust,harness=expr</code>):</p>
<pre><code id="expr-example" class="language-rust,harness=expr">${escape(EXPR_EXAMPLE)}</code></pre>
<p>A Rocket app answering one request, with the harness's arguments in an attribute:</p>
<pre><code id="rocket-example" class="language-rust" data-corral-harness="rocket-request" data-corral-args='{"uri": "/hello/embed"}'>${escape(ROCKET_EXAMPLE)}</code></pre>
<p>rustdoc's attributes: <code>should_panic</code>, <code>compile_fail,E0382</code> and <code>no_run</code> (as mdBook writes them).</p>
<pre><code id="panic-example" class="language-rust,should_panic">${escape(PANIC_EXAMPLE)}</code></pre>
<pre><code id="compile-fail-example" class="language-rust,compile_fail,E0382">${escape(COMPILE_FAIL_EXAMPLE)}</code></pre>
<pre><code id="no-run-example" class="language-rust no_run">${escape(NO_RUN_EXAMPLE)}</code></pre>
<p>Left alone: an <code>ignore</code> block and another language.</p>
<pre><code id="ignored" class="language-rust ignore">fn not_run() {}</code></pre>
<pre><code id="python" class="language-python">print("hi")</code></pre>
<h2>In a frame</h2>
<iframe id="frame" title="A runnable example" src="${escape(frame)}"></iframe>
<iframe id="editor-frame" title="The editor, which refuses to be framed" src="${corral}/"></iframe>
</body>
</html>`;
}

before(async () => {
  await setup();
  if (env.skip) return;
  const port = await freePort();
  const server = createServer((req, res) => {
    if (req.url === "/" || req.url === "/index.html") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(docsPage(env.base));
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
});

// The editor's refusal to be framed is the one error the documentation page may log.
const FRAME_REFUSED = /^Framing '.*' violates the following Content Security Policy directive: "frame-ancestors 'none'"/;

// Runs one snippet: clicks its Run button and waits for its status to settle.
async function runSnippet(snippet) {
  await snippet.locator(".corral-run").click();
  await snippet.page().waitForFunction(
    (el) => el.dataset.state === "done",
    await snippet.elementHandle(),
    { timeout: RUN_TIMEOUT },
  );
  return snippet.locator(".corral-status").textContent();
}

const snippetAfter = (page, id) => page.locator(`pre:has(> #${id}) + .corral-snippet`);

test("the embed script makes another site's code blocks runnable", { timeout: 4 * RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  // Tall enough for the whole page: a full-page screenshot would leave the frames blank.
  const viewport = { width: 1100, height: 3100 };
  const page = await open(t, docs.base + "/", { ready: false, allow: [FRAME_REFUSED], viewport });
  const sent = [];
  page.on("request", (r) => {
    if (r.url() === `${env.base}/api/v1/run` && r.method() === "POST") sent.push(JSON.parse(r.postData()));
  });
  await page.waitForSelector(".corral-snippet");
  assert.equal(await page.locator(".corral-snippet").count(), 7, "the seven Rust blocks, not the ignored or Python ones");
  assert.equal(await page.locator("pre:has(> #ignored) + .corral-snippet, pre:has(> #python) + .corral-snippet").count(), 0);

  // Hidden lines are hidden; `##` shows as `#`.
  const shown = () => page.locator("#hidden-example").innerText();
  assert.equal(
    await shown(),
    '#[derive(Debug)]\nstruct Shown;\nprintln!("{} {:?} <b>not bold</b>", helper(), Shown);\n',
  );
  const hidden = snippetAfter(page, "hidden-example");
  assert.match(await runSnippet(hidden), /^success · exit 0$/);
  assert.equal(await hidden.locator(".corral-out").textContent(), "from a hidden helper Shown <b>not bold</b>\n");
  assert.equal(await page.locator(".corral-snippet b").count(), 0, "output is text, not HTML");
  // ... but they were sent: with the doctest harness, as written (the server applies rustdoc's rules).
  assert.deepEqual(sent[0], { code: HIDDEN_EXAMPLE, harness: "doctest" });
  // The toggle shows them, and hides them again.
  const toggle = hidden.locator(".corral-toggle");
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-pressed"), "true");
  assert.match(await shown(), /^fn helper\(\) -> &'static str \{\n {4}"from a hidden helper"\n\}\n#\[derive\(Debug\)\]/);
  await toggle.click();
  assert.doesNotMatch(await shown(), /helper\(\) ->/);
  // "Open in playground" carries the example and its harness to the editor.
  const link = new URL(await hidden.locator(".corral-open").getAttribute("href"));
  assert.equal(link.origin, env.base);
  assert.equal(link.searchParams.get("code"), HIDDEN_EXAMPLE);
  assert.equal(link.searchParams.get("harness"), "doctest");
  assert.equal(await hidden.locator(".corral-open").getAttribute("target"), "_blank");

  // The harness from an attribute: the hidden line is sent unmarked.
  const tests = snippetAfter(page, "test-example");
  assert.equal(await tests.locator(".corral-toggle").count(), 1);
  assert.match(await runSnippet(tests), /^runtime error · 1 passed, 1 failed$/);
  const out = await tests.locator(".corral-out").textContent();
  assert.match(out, /test adds \.\.\. ok/);
  assert.match(out, /2 \+ 2 is not 5/);
  assert.equal(sent[1].harness, "test");
  assert.equal(sent[1].code, TEST_EXAMPLE.replace("# fn add", "fn add"));

  // The harness from the info string.
  const expr = snippetAfter(page, "expr-example");
  assert.match(await runSnippet(expr), /^success/);
  assert.equal(await expr.locator(".corral-out").textContent(), "42\n");
  assert.deepEqual(sent[2], { code: "{\nlet x = 6;\n    x * 7\n}\n", harness: "expr" });

  // The harness's arguments from an attribute; its response shown as HTTP text.
  const rocket = snippetAfter(page, "rocket-example");
  assert.equal(await rocket.locator(".corral-toggle").count(), 0, "no hidden lines, no toggle");
  assert.match(await runSnippet(rocket), /^success/);
  const response = await rocket.locator(".corral-harness").textContent();
  assert.match(response, /^HTTP\/1\.1 200 OK\ncontent-type: text\/plain; charset=utf-8\n/);
  assert.ok(response.endsWith("\n\nHello, embed!"), response);
  assert.deepEqual(sent[3].args, { uri: "/hello/embed" });
  assert.equal(new URL(await rocket.locator(".corral-open").getAttribute("href")).searchParams.get("args"), '{"uri":"/hello/embed"}');

  // should_panic: the panic is the success, and its message is shown.
  const panics = snippetAfter(page, "panic-example");
  assert.equal(await panics.locator(".corral-run").textContent(), "▶ Run");
  assert.equal(await runSnippet(panics), "panicked, as expected · exit 101");
  assert.match(await panics.locator(".corral-status").getAttribute("class"), /corral-ok/);
  assert.match(await panics.locator(".corral-out").textContent(), /panicked at .*\n.*the vector is empty/);
  assert.deepEqual(sent[4], { code: PANIC_EXAMPLE, harness: "doctest" });

  // compile_fail,E0382: compiled only; the compiler's output is shown, with the code.
  const fails = snippetAfter(page, "compile-fail-example");
  assert.equal(await fails.locator(".corral-run").textContent(), "▶ Build");
  assert.equal(await runSnippet(fails), "failed to compile, as expected (E0382)");
  assert.match(await fails.locator(".corral-status").getAttribute("class"), /corral-ok/);
  assert.match(await fails.locator(".corral-compile").textContent(), /error\[E0382\]: borrow of moved value: `s`/);
  assert.equal(await fails.locator(".corral-out").isHidden(), true);
  assert.deepEqual(sent[5], { code: COMPILE_FAIL_EXAMPLE, harness: "doctest", compile_only: true });

  // no_run: compiled, not run (the loop would never end); hidden lines as usual.
  const builds = snippetAfter(page, "no-run-example");
  assert.equal(await builds.locator(".corral-run").textContent(), "▶ Build");
  assert.equal(await builds.locator(".corral-toggle").count(), 1);
  assert.equal(await runSnippet(builds), "compiled (not run: no_run)");
  assert.match(await builds.locator(".corral-status").getAttribute("class"), /corral-ok/);
  assert.equal(await builds.locator(".corral-out").isHidden(), true);
  assert.deepEqual(sent[6], { code: NO_RUN_EXAMPLE, harness: "doctest", compile_only: true });

  const frame = await (await page.$("#frame")).contentFrame();
  await frame.waitForSelector(".corral-snippet");
  await frame.click(".corral-run");
  await frame.waitForSelector(".corral-snippet[data-state=done]", { timeout: RUN_TIMEOUT });
  await page.screenshot({ path: join(SHOTS, "embed.png") });

  // The script's own response lets any site load it.
  const r = await fetch(`${env.base}/embed.js`);
  assert.equal(r.headers.get("content-type"), "text/javascript");
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
});

test("the /embed frame runs inside another site; the editor refuses to be framed", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t, docs.base + "/", { ready: false, allow: [FRAME_REFUSED] });
  const frameEl = await page.waitForSelector("#frame");
  const frame = await frameEl.contentFrame();
  await frame.waitForSelector("body[data-ready=true]");
  assert.equal(await frame.locator("#corral-embed code").textContent(), FRAME_CODE);
  await frame.click(".corral-run");
  await frame.waitForSelector(".corral-snippet[data-state=done]", { timeout: RUN_TIMEOUT });
  assert.match(await frame.textContent(".corral-status"), /^success/);
  assert.equal(await frame.textContent(".corral-out"), "framed <i>text</i>\n");
  assert.equal(await frame.locator(".corral-out i").count(), 0, "text, not HTML");

  // The editor's frame was refused by its policy: Chromium shows its error page.
  assert.deepEqual(page.allowedErrors.map((e) => e.split("'")[1]), [`${env.base}/`]);
  const editor = await (await page.$("#editor-frame")).contentFrame();
  assert.doesNotMatch(editor.url(), /^http:/, "the editor did not load in a frame");
  assert.equal(await editor.$("#editor"), null);
  await frameEl.screenshot({ path: join(SHOTS, "embed-frame.png") });

  // The headers that decide it.
  const framed = await fetch(`${env.base}/embed?code=fn+main()+{}`);
  assert.match(framed.headers.get("content-security-policy"), /frame-ancestors \*$/);
  assert.equal(framed.headers.get("x-frame-options"), null);
  for (const path of ["/", "/p/abc", "/embed.js", "/api/v1/harnesses"]) {
    const r = await fetch(env.base + path);
    assert.equal(r.headers.get("x-frame-options"), "DENY", path);
  }
  assert.match((await fetch(`${env.base}/`)).headers.get("content-security-policy"), /frame-ancestors 'none'/);
});

test("/embed/p/<id> runs a shared snippet; /embed without code says so", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const code = 'fn main() {\n    println!("shared into a frame");\n}\n';
  const share = await fetch(`${env.base}/meta/gist`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code }),
  });
  const { id } = await share.json();
  const page = await open(t, `/embed/p/${id}`, { colorScheme: "dark" });
  assert.equal(await page.textContent("#corral-embed code"), code);
  await page.click(".corral-run");
  await page.waitForSelector(".corral-snippet[data-state=done]", { timeout: RUN_TIMEOUT });
  assert.equal(await page.textContent(".corral-out"), "shared into a frame\n");
  const open2 = new URL(await page.getAttribute(".corral-open", "href"));
  assert.equal(open2.searchParams.get("code"), code);
  const empty = await open(t, "/embed");
  assert.match(await empty.textContent("#corral-embed"), /^No code/);
});

test("the embed draws an IMAGE: line as an image and leaves HTML in one as text", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const png = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==";
  const hostile = Buffer.from("<html><script>window.pwned = 1</script></html>").toString("base64");
  const code = `fn main() {\n    println!("IMAGE:${png}");\n    println!("IMAGE:${hostile}");\n}\n`;
  const page = await open(t, `/embed?${new URLSearchParams({ code, harness: "bin" })}`);
  await page.click(".corral-run");
  await page.waitForSelector(".corral-snippet[data-state=done]", { timeout: RUN_TIMEOUT });
  await page.waitForFunction(() => document.querySelector(".corral-out img.corral-image")?.naturalWidth === 2);
  assert.equal(await page.locator(".corral-out img").count(), 1);
  assert.equal(await page.textContent(".corral-out"), `IMAGE:${hostile}\n`);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
});

test("a playground link opens the editor with the harness and its arguments", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const q = new URLSearchParams({ code: "{\nlet x = 6;\n    x * 7\n}\n", harness: "expr" });
  const page = await open(t, `/?${q}`);
  assert.equal(await page.inputValue("#harness"), "expr");
  await page.click("#run");
  await page.waitForFunction(() => !/^(Running|Replaying)/.test(document.getElementById("status").textContent), null, {
    timeout: RUN_TIMEOUT,
  });
  assert.match(await page.textContent("#status"), /^success/);
  assert.equal(await page.textContent("#stdout"), "42\n");
  const args = JSON.stringify({ method: "POST", uri: "/hello", header: ["X-A: 1", "X-B: 2"] });
  const rocket = await open(t, `/?${new URLSearchParams({ code: "", harness: "rocket-request", args })}`);
  assert.equal(await rocket.inputValue("#harness"), "rocket-request");
  assert.equal(await rocket.inputValue("#args [name=method]"), "POST");
  assert.equal(await rocket.inputValue("#args [name=uri]"), "/hello");
  assert.equal(await rocket.inputValue("#args [name=header]"), "X-A: 1\nX-B: 2");
});
