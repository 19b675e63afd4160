// The page in a real headless Chromium (Debian's `chromium`, driven by playwright-core)
// against a real `corral serve` on a loopback port with a temporary data dir.
// Prints `SKIP: <reason>` and passes when Chromium or the sandbox is missing, unless
// CORRAL_PAGE_TESTS=require (CI as root), where a missing browser fails; a server that
// cannot become ready here (no sandbox) skips, as the Rust server tests do.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const CORRAL = process.env.CORRAL_BIN || join(root, "target/debug/corral");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = join(root, "web/screenshots");
const REQUIRE = process.env.CORRAL_PAGE_TESTS === "require";
const RUN_TIMEOUT = 120_000;

let server = null;
let dataDir = null;
let browser = null;
let base = null;
let skip = null;

function skipOrFail(reason, always = false) {
  if (REQUIRE && !always) throw new Error(`the page tests cannot run: ${reason}`);
  console.log(`SKIP: ${reason}`);
  skip = reason;
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

async function startServer() {
  const port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), "corral-page-test-"));
  server = spawn(CORRAL, ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", dataDir], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  server.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let last = "";
  while (Date.now() < deadline) {
    if (server.exitCode !== null) return `corral serve exited: ${stderr}`;
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) return null;
      last = await r.text();
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return `corral serve did not become ready: ${last}`;
}

before(async () => {
  if (!existsSync(CORRAL)) return skipOrFail(`no corral binary at ${CORRAL}`);
  if (!existsSync(CHROMIUM)) return skipOrFail(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  let chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch (e) {
    return skipOrFail(`playwright-core is not installed (cd web && npm ci): ${e.message}`);
  }
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  } catch (e) {
    return skipOrFail(`Chromium does not start: ${e.message.split("\n")[0]}`);
  }
  const why = await startServer();
  if (why) return skipOrFail(why, true);
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill();
    await new Promise((r) => server.once("exit", r));
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// A fresh page (own storage) that fails the test on any script error or CSP report.
async function open(t, path = "/", options = {}) {
  const context = await browser.newContext({ colorScheme: "light", ...options });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(m.text());
  });
  t.after(() => assert.deepEqual(problems, [], "no script errors or CSP violations"));
  await page.goto(base + path);
  await page.waitForSelector("body[data-ready=true]");
  return page;
}

const editorText = (page) => page.evaluate(() => window.corralEditor.state.doc.toString());

async function typeCode(page, code) {
  await page.click(".cm-content");
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Backspace");
  // insertText: the editor's bracket auto-closing would otherwise double the braces.
  await page.keyboard.insertText(code);
  assert.equal(await editorText(page), code);
}

async function runAndWait(page, how = "button") {
  if (how === "keys") {
    await page.click(".cm-content");
    await page.keyboard.press("Control+Enter");
  } else {
    await page.click("#run");
  }
  await page.waitForFunction(() => !/^Running/.test(document.getElementById("status").textContent), null, {
    timeout: RUN_TIMEOUT,
  });
  return page.textContent("#status");
}

// The editor's error marks: the marked text, and the 1-based line of each.
async function errorMarks(page) {
  await page.waitForSelector(".cm-lintRange-error", { timeout: RUN_TIMEOUT });
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll(".cm-content .cm-line")];
    return [...document.querySelectorAll(".cm-lintRange-error")].map((el) => ({
      text: el.textContent,
      line: lines.indexOf(el.closest(".cm-line")) + 1,
    }));
  });
}

test("a typed program runs with Ctrl-Enter and its stdout shows", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t);
  await typeCode(page, 'fn main() {\n    println!("hello from the page");\n}\n');
  const status = await runAndWait(page, "keys");
  assert.match(status, /^success/);
  assert.equal(await page.textContent("#stdout"), "hello from the page\n");
  assert.equal(await page.isVisible("#compile-box"), false);
});

test("a compile error is marked inline at its line", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t);
  await typeCode(page, 'fn main() {\n    let a = 1;\n    let x: i32 = "no";\n    println!("{a}{x}");\n}\n');
  assert.match(await runAndWait(page), /^compile error/);
  assert.deepEqual(await errorMarks(page), [{ text: '"no"', line: 3 }]);
  assert.equal(await page.locator(".cm-lint-marker-error").count(), 1, "one gutter marker");
  assert.match(await page.textContent("#compile-out"), /E0308/);
  await page.screenshot({ path: join(SHOTS, "light.png") });
});

test("non-ASCII text before the error still marks the right span", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t);
  // é is 2 bytes and 1 UTF-16 unit, 🦀 4 bytes and 2 units, 中 3 bytes and 1 unit.
  await typeCode(page, 'fn main() {\n    // é 🦀 中\n    let s = "é🦀中"; let x: i32 = "🦀no";\n    println!("{s}{x}");\n}\n');
  assert.match(await runAndWait(page), /^compile error/);
  assert.deepEqual(await errorMarks(page), [{ text: '"🦀no"', line: 3 }]);
});

test("program output containing HTML shows as text, ANSI colours as spans", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t);
  await typeCode(
    page,
    'fn main() {\n    println!("<b>html</b><img src=x onerror=alert(1)>");\n    println!("\\x1b[31mred\\x1b[0m plain");\n    eprintln!("<i>err</i>");\n}\n',
  );
  assert.match(await runAndWait(page), /^success/);
  assert.equal(await page.textContent("#stdout"), "<b>html</b><img src=x onerror=alert(1)>\nred plain\n");
  assert.equal(await page.locator("#stdout b, #stdout img, #stderr i").count(), 0, "no element from the output");
  assert.equal(await page.textContent("#stdout .ansi-fg-red"), "red");
  assert.equal(await page.textContent("#stderr"), "<i>err</i>\n");
});

test("the rocket-request harness runs with arguments from its generated form", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t);
  await page.selectOption("#harness", "rocket-request");
  await page.waitForSelector("#args:not([hidden])");
  const fields = await page.evaluate(() => [...document.getElementById("args").elements].map((e) => `${e.name}:${e.tagName}`));
  assert.deepEqual(fields, ["method:SELECT", "uri:INPUT", "body:TEXTAREA", "header:TEXTAREA"]);
  await typeCode(
    page,
    '#[macro_use] extern crate rocket;\n\n#[post("/hello?<name>", data = "<body>")]\nfn hello(name: &str, body: &str) -> String {\n    format!("Hello, {name}! You sent {body}.")\n}\n\n#[launch]\nfn rocket() -> _ {\n    rocket::build().mount("/", routes![hello])\n}\n',
  );
  await page.selectOption("#args [name=method]", "POST");
  await page.fill("#args [name=uri]", "/hello?name=page");
  await page.fill("#args [name=body]", "<b>data</b>");
  await page.fill("#args [name=header]", "Content-Type: text/plain\n");
  assert.match(await runAndWait(page), /^success/);
  const result = JSON.parse(await page.textContent("#harness-out"));
  assert.equal(result.status, 200);
  assert.equal(result.body, "Hello, page! You sent <b>data</b>.");
  // The harness and its arguments are remembered.
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.inputValue("#harness"), "rocket-request");
  assert.equal(await page.inputValue("#args [name=uri]"), "/hello?name=page");
});

test("a share link round trip, and /?gist=", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t);
  const code = 'fn main() {\n    println!("shared 🦀");\n}\n';
  await typeCode(page, code);
  await page.click("#share");
  await page.waitForSelector("#share-box:not([hidden])");
  const url = await page.inputValue("#share-url");
  const m = url.match(/^http:\/\/127\.0\.0\.1:\d+\/p\/([A-Za-z0-9_-]{16})$/);
  assert.ok(m, url);
  const other = await open(t, new URL(url).pathname);
  assert.equal(await editorText(other), code);
  const gist = await open(t, `/?gist=${m[1]}`);
  assert.equal(await editorText(gist), code);
  assert.match(await runAndWait(gist), /^success/);
  assert.equal(await gist.textContent("#stdout"), "shared 🦀\n");
});

test("a playground-style ?code= link sets the code, channel, edition and mode", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const code = 'fn main() {\n    println!("from a link");\n}\n';
  const q = new URLSearchParams({ code, version: "stable", edition: "2021", mode: "release" });
  const page = await open(t, `/?${q}`);
  assert.equal(await editorText(page), code);
  assert.deepEqual(
    [await page.inputValue("#channel"), await page.inputValue("#edition"), await page.inputValue("#mode")],
    ["stable", "2021", "release"],
  );
  assert.match(await runAndWait(page), /^success/);
  assert.equal(await page.textContent("#stdout"), "from a link\n");
});

test("dark mode follows the system, toggles, and is remembered", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t, "/", { colorScheme: "dark" });
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await theme(), "dark");
  assert.equal(await bg(), "rgb(30, 33, 39)");
  assert.equal(await page.locator(".cm-editor").evaluate((e) => getComputedStyle(e).backgroundColor), "rgb(40, 44, 52)");
  await typeCode(page, 'fn main() {\n    let x: i32 = "no";\n    println!("{x}");\n}\n');
  assert.match(await runAndWait(page), /^compile error/);
  await errorMarks(page);
  await page.screenshot({ path: join(SHOTS, "dark.png") });
  await page.click("#theme");
  assert.equal(await theme(), "light");
  assert.equal(await bg(), "rgb(255, 255, 255)");
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await theme(), "light", "the choice outlives a reload");
  assert.equal(await editorText(page), 'fn main() {\n    let x: i32 = "no";\n    println!("{x}");\n}\n', "so does the code");
});

test("on a phone the panes stack", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t, "/", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await typeCode(page, 'fn main() {\n    println!("small screen");\n}\n');
  assert.match(await runAndWait(page), /^success/);
  const ed = await page.locator(".editor-pane").boundingBox();
  const out = await page.locator(".output-pane").boundingBox();
  assert.ok(out.y >= ed.y + ed.height - 1, "output below the editor");
  assert.ok(ed.width <= 390 && out.width <= 390, "nothing wider than the screen");
  const scrollW = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollW <= 390, `no sideways scrolling (${scrollW})`);
  await page.screenshot({ path: join(SHOTS, "phone.png") });
});

test("Format reformats the code in the editor", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t);
  await page.waitForSelector("#format:not([hidden])");
  await typeCode(page, 'fn main(){println!("hi")}');
  await page.click("#format");
  await page.waitForFunction(() => /^Format: /.test(document.getElementById("status").textContent), null, {
    timeout: RUN_TIMEOUT,
  });
  assert.equal(await editorText(page), 'fn main() {\n    println!("hi")\n}\n');
});

test("Show MIR displays the MIR as text; HIR is offered only on nightly", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t);
  await page.selectOption("#channel", "stable");
  const targets = () => page.evaluate(() => [...document.getElementById("show").options].map((o) => o.value));
  assert.deepEqual(await targets(), ["", "asm", "llvm-ir", "mir"]);
  await typeCode(page, 'fn main() {\n    println!("<b>mir</b>");\n}\n');
  await page.selectOption("#show", "mir");
  await page.waitForSelector("#tool-box:not([hidden])", { timeout: RUN_TIMEOUT });
  assert.match(await page.textContent("#tool-out"), /fn main/);
  assert.equal(await page.locator("#tool-out b").count(), 0, "text, not HTML");
  assert.equal(await page.inputValue("#show"), "");
  if (await page.locator("#channel option[value=nightly]").count()) {
    await page.selectOption("#channel", "nightly");
    assert.deepEqual(await targets(), ["", "asm", "llvm-ir", "mir", "hir", "macro-expansion"]);
  }
});

test("Clippy shows its lints; a server error shows as text", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t);
  await page.waitForSelector("#clippy:not([hidden])");
  await typeCode(page, "fn main() {\n    let x = 1;\n    if x == x {}\n}\n");
  await page.click("#clippy");
  await page.waitForFunction(() => /^Clippy: /.test(document.getElementById("status").textContent), null, {
    timeout: RUN_TIMEOUT,
  });
  assert.match(await page.textContent("#compile-out"), /eq_op/);
  // A channel the server lacks: no Format or Clippy, and the 4xx's error as text.
  const other = await open(t, "/?version=<b>no-such</b>");
  assert.equal(await other.isVisible("#format"), false);
  assert.equal(await other.isVisible("#clippy"), false);
  await other.selectOption("#show", "asm");
  await other.waitForSelector("#tool-box:not([hidden])", { timeout: RUN_TIMEOUT });
  assert.match(await other.textContent("#tool-out"), /^Error: .*no-such/);
  assert.equal(await other.locator("#tool-out b").count(), 0);
});

test("Stream shows output as it comes, sends stdin, and echoes it", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t);
  await typeCode(
    page,
    'use std::io::{BufRead, Write};\nfn main() {\n    print!("cleared by a form feed\\x0cname? ");\n    std::io::stdout().flush().unwrap();\n    let mut l = String::new();\n    std::io::stdin().lock().read_line(&mut l).unwrap();\n    println!("hello <{}>", l.trim());\n}\n',
  );
  await page.click("#stream");
  await page.waitForFunction(() => document.getElementById("live-out").textContent === "name? ", null, {
    timeout: RUN_TIMEOUT,
  });
  assert.match(await page.textContent("#status"), /^Streaming/, "still running, waiting for stdin");
  await page.fill("#stdin", "crab 🦀");
  await page.press("#stdin", "Enter");
  await page.waitForFunction(() => /^(success|failed)/.test(document.getElementById("status").textContent), null, {
    timeout: RUN_TIMEOUT,
  });
  assert.equal(await page.textContent("#live-out"), "name? hello <crab 🦀>\n");
  assert.match(await page.textContent("#status"), /^success/);
});

test("Kill ends an endless streamed program", { timeout: RUN_TIMEOUT }, async (t) => {
  if (skip) return t.skip(skip);
  const page = await open(t);
  await typeCode(
    page,
    'fn main() {\n    println!("looping");\n    loop {\n        std::thread::sleep(std::time::Duration::from_millis(10));\n    }\n}\n',
  );
  await page.click("#stream");
  await page.waitForFunction(() => document.getElementById("live-out").textContent === "looping\n", null, {
    timeout: RUN_TIMEOUT,
  });
  await page.click("#kill");
  await page.waitForFunction(() => /^(success|failed)/.test(document.getElementById("status").textContent), null, {
    timeout: 30_000,
  });
  const status = await page.textContent("#status");
  assert.match(status, /^failed/);
  assert.match(status, /kill/i);
});

test("the page is served with a strict policy and cacheable assets", async (t) => {
  if (skip) return t.skip(skip);
  const r = await fetch(`${base}/p/abc`);
  assert.equal(r.status, 200);
  const csp = r.headers.get("content-security-policy");
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(r.headers.get("x-frame-options"), "DENY");
  const html = await r.text();
  const js = html.match(/src="(\/assets\/app\.js\?v=[0-9a-f]{16})"/)[1];
  const a = await fetch(base + js);
  assert.equal(a.headers.get("content-type"), "text/javascript");
  assert.match(a.headers.get("cache-control"), /immutable/);
  const again = await fetch(base + js, { headers: { "If-None-Match": a.headers.get("etag") } });
  assert.equal(again.status, 304);
  const css = await fetch(`${base}/assets/app.css`);
  assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
  assert.equal((await fetch(`${base}/assets/../Cargo.toml`)).status, 404);
});

mkdirSync(SHOTS, { recursive: true });
