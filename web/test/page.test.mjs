// The page in a real headless Chromium (Debian's `chromium`, driven by playwright-core)
// against a real `corral serve` on a loopback port with a temporary data dir (see
// ../test-support.mjs for the setup and when the tests skip).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { env, open, root, RUN_TIMEOUT, setup, SHOTS, teardown } from "../test-support.mjs";

before(setup);
after(teardown);

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
  // The run, then the replay of its output timeline, if any.
  await page.waitForFunction(() => !/^(Running|Replaying)/.test(document.getElementById("status").textContent), null, {
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
  if (env.skip) return t.skip(env.skip);
  const page = await open(t);
  await typeCode(page, 'fn main() {\n    println!("hello from the page");\n}\n');
  const status = await runAndWait(page, "keys");
  assert.match(status, /^success/);
  assert.equal(await page.textContent("#stdout"), "hello from the page\n");
  assert.equal(await page.isVisible("#compile-box"), false);
});

test("a compile error is marked inline at its line", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t);
  await typeCode(page, 'fn main() {\n    let a = 1;\n    let x: i32 = "no";\n    println!("{a}{x}");\n}\n');
  assert.match(await runAndWait(page), /^compile error/);
  assert.deepEqual(await errorMarks(page), [{ text: '"no"', line: 3 }]);
  assert.equal(await page.locator(".cm-lint-marker-error").count(), 1, "one gutter marker");
  assert.match(await page.textContent("#compile-out"), /E0308/);
  await page.screenshot({ path: join(SHOTS, "light.png") });
});

test("non-ASCII text before the error still marks the right span", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t);
  // é is 2 bytes and 1 UTF-16 unit, 🦀 4 bytes and 2 units, 中 3 bytes and 1 unit.
  await typeCode(page, 'fn main() {\n    // é 🦀 中\n    let s = "é🦀中"; let x: i32 = "🦀no";\n    println!("{s}{x}");\n}\n');
  assert.match(await runAndWait(page), /^compile error/);
  assert.deepEqual(await errorMarks(page), [{ text: '"🦀no"', line: 3 }]);
});

test("program output containing HTML shows as text, ANSI colours as spans", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
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
  if (env.skip) return t.skip(env.skip);
  const page = await open(t);
  await page.selectOption("#harness", "rocket-request");
  await page.waitForSelector("#args:not([hidden])");
  const fields = await page.evaluate(() =>
    [...document.getElementById("args").elements].filter((e) => e.name).map((e) => `${e.name}:${e.tagName}`),
  );
  assert.deepEqual(fields, ["method:SELECT", "uri:INPUT", "body:TEXTAREA", "header:TEXTAREA"]);
  assert.equal(await page.locator("#args fieldset.records[data-name=then] .add-record").count(), 1);
  await typeCode(
    page,
    '#[macro_use] extern crate rocket;\n\n#[post("/hello?<name>", data = "<body>")]\nfn hello(name: &str, body: &str) -> String {\n    format!("Hello, {name}! You sent {body}.")\n}\n\n#[launch]\nfn rocket() -> _ {\n    rocket::build().mount("/", routes![hello])\n}\n',
  );
  await page.selectOption("#args [name=method]", "POST");
  await page.fill("#args [name=uri]", "/hello?name=page");
  await page.fill("#args [name=body]", "<b>data</b>");
  await page.fill("#args [name=header]", "Content-Type: text/plain\n");
  assert.match(await runAndWait(page), /^success/);
  // The response, as HTTP.
  assert.equal(await page.textContent("#harness-title"), "Response");
  const response = await page.textContent("#harness-out");
  assert.match(response, /^HTTP\/1\.1 200 OK\ncontent-type: text\/plain; charset=utf-8\n/);
  assert.ok(response.endsWith("\n\nHello, page! You sent <b>data</b>."), response);
  assert.equal(await page.locator("#harness-out b").count(), 0, "the body is text");
  await page.locator(".output-pane").screenshot({ path: join(SHOTS, "rocket-response.png") });
  // The harness and its arguments are remembered.
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.inputValue("#harness"), "rocket-request");
  assert.equal(await page.inputValue("#args [name=uri]"), "/hello?name=page");
});

test("rocket-request: requests added on the page go through one client; each response shows", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t);
  await page.selectOption("#harness", "rocket-request");
  await typeCode(
    page,
    [
      "#[macro_use]",
      "extern crate rocket;",
      "use rocket::http::CookieJar;",
      "",
      '#[post("/login", data = "<name>")]',
      "fn login(name: &str, jar: &CookieJar<'_>) -> &'static str {",
      '    jar.add(("user", name.to_string()));',
      '    "logged in"',
      "}",
      "",
      '#[get("/me")]',
      "fn me(jar: &CookieJar<'_>) -> String {",
      '    jar.get("user").map(|c| c.value().to_string()).unwrap_or_else(|| "nobody".into())',
      "}",
      "",
      "#[launch]",
      "fn rocket() -> _ {",
      '    rocket::build().mount("/", routes![login, me])',
      "}",
      "",
    ].join("\n"),
  );
  await page.fill("#args > label [name=uri]", "/me");
  for (const [method, uri, body] of [["POST", "/login", "ferris"], ["GET", "/me", ""]]) {
    await page.click("#args .add-record");
    const record = page.locator("#args fieldset.record").last();
    await record.locator("[name=method]").selectOption(method);
    await record.locator("[name=uri]").fill(uri);
    if (body) await record.locator("[name=body]").fill(body);
  }
  assert.match(await runAndWait(page), /^success/);
  assert.equal(await page.textContent("#harness-title"), "Responses");
  const shown = await page.$$eval("#harness-out .response-request", (ps) => ps.map((p) => p.textContent));
  assert.deepEqual(shown, ["1. GET /me", "2. POST /login", "3. GET /me"]);
  const bodies = await page.$$eval("#harness-out .http-response", (ps) => ps.map((p) => p.textContent.split("\n\n").pop()));
  assert.deepEqual(bodies, ["nobody", "logged in", "ferris"], "the cookie carried over");
  // Removing a request, and the requests are remembered.
  await page.locator("#args fieldset.record").last().locator(".remove-record").click();
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.locator("#args fieldset.record").count(), 1);
  assert.equal(await page.inputValue("#args fieldset.record [name=uri]"), "/login");
});

test("picking a harness loads its example over an unedited one, never over the user's code", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t);
  const examples = Object.fromEntries(
    (await (await fetch(`${env.base}/api/v1/harnesses`)).json()).harnesses.map((h) => [h.id, h.example]),
  );
  await page.selectOption("#harness", "rocket-request");
  assert.equal(await editorText(page), examples["rocket-request"], "the default program was unedited");
  assert.match(await runAndWait(page), /^success/);
  assert.match(await page.textContent("#harness-out"), /^HTTP\/1\.1 200 OK\n[\s\S]*\n\nHello, world!$/);
  await page.selectOption("#harness", "test");
  assert.equal(await editorText(page), examples.test);
  // The test harness's result: each test, failures first, with its output.
  await typeCode(
    page,
    '#[test]\nfn passes() {\n    println!("said by passes");\n}\n\n#[test]\nfn fails() {\n    assert_eq!(2 + 2, 5, "arithmetic");\n}\n',
  );
  assert.match(await runAndWait(page), /^runtime error/);
  assert.equal(await page.textContent("#harness-title"), "Tests");
  assert.equal(await page.textContent(".tests-summary"), "1 passed, 1 failed");
  const items = await page.$$eval(".test-list > li", (lis) =>
    lis.map((li) => [li.className, li.querySelector(".test-name").textContent, li.querySelector(".test-output")?.textContent ?? ""]),
  );
  assert.deepEqual(items.map(([c, n]) => [c, n]), [["test failed", "fails"], ["test passed", "passes"]]);
  assert.match(items[0][2], /arithmetic/);
  assert.equal(items[1][2], "said by passes\n");
  // Edited code stays when the harness changes.
  await page.selectOption("#harness", "bin");
  assert.match(await editorText(page), /fn fails\(\)/);
  // A stub without what the harness needs: the need, at the user's first line.
  await page.selectOption("#harness", "rocket-request");
  await typeCode(page, 'fn main() {\n    println!("hi");\n}\n');
  assert.match(await runAndWait(page), /^compile error/);
  const compiler = await page.textContent("#compile-out");
  assert.match(compiler, /^error: the `rocket-request` harness needs a function `rocket\(\)`/);
  assert.ok(!compiler.includes("__corral") && !compiler.includes("user.rs"), compiler);
  assert.deepEqual(await errorMarks(page).then((m) => m.map((x) => x.line)), [1]);
});

test("a share link round trip, and /?gist=", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
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
  if (env.skip) return t.skip(env.skip);
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
  if (env.skip) return t.skip(env.skip);
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
  if (env.skip) return t.skip(env.skip);
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
  if (env.skip) return t.skip(env.skip);
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
  if (env.skip) return t.skip(env.skip);
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
  if (env.skip) return t.skip(env.skip);
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
  if (env.skip) return t.skip(env.skip);
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
  if (env.skip) return t.skip(env.skip);
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

// Records every change of the output panes from now on: its time (ms) and the text of
// stdout, stderr and the status line.
async function recordPanes(page) {
  await page.evaluate(() => {
    const t0 = performance.now();
    const text = (id) => document.getElementById(id).textContent;
    window.paneLog = [];
    new MutationObserver(() =>
      window.paneLog.push({ t: performance.now() - t0, stdout: text("stdout"), stderr: text("stderr"), status: text("status") }),
    ).observe(document.querySelector(".output-pane"), { childList: true, subtree: true, characterData: true });
  });
}

// The successive non-empty texts of one pane once the result came (the last run's output
// stays while a run is on its way), each with the time it first showed.
async function paneStates(page, pane = "stdout") {
  const log = await page.evaluate(() => window.paneLog);
  const states = [];
  for (const l of log) {
    if (/^Running/.test(l.status)) continue;
    if (l[pane] !== "" && states[states.length - 1]?.text !== l[pane]) states.push({ text: l[pane], t: l.t });
  }
  return states;
}

const stdoutIs = (page, text) =>
  page.waitForFunction((want) => document.getElementById("stdout").textContent === want, text, { timeout: 10_000 });

test("the output timeline replays events with their delays; a form feed clears the pane", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t);
  // A result as virtual time makes it: the program slept, the events carry the delays.
  const ms = 1e6;
  const timed = {
    status: "success",
    step: "run",
    limit: null,
    compile: { success: true, stderr: "", diagnostics: [], wall_ms: 90 },
    run: {
      exit_code: 0,
      signal: null,
      stdout: "frame 1\nframe 2\n\fframe 3 <b>x</b>\ndone\n",
      stderr: "warming up\n",
      events: [
        { message: "frame 1\n", stream: "stdout", delay_ns: 0 },
        { message: "warming up\n", stream: "stderr", delay_ns: 0 },
        { message: "frame 2\n", stream: "stdout", delay_ns: 400 * ms },
        { message: "\fframe 3 <b>x</b>\n", stream: "stdout", delay_ns: 400 * ms },
        { message: "done\n", stream: "stdout", delay_ns: 400 * ms },
      ],
      harness: {},
      wall_ms: 3,
    },
    cached: false,
    key: "sha256:test",
  };
  let reply = timed;
  const sent = [];
  await page.route("**/api/v1/run", (route) => {
    sent.push(JSON.parse(route.request().postData()));
    route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(reply) });
  });
  await recordPanes(page);
  await page.click("#run");
  // What is due at once shows at once, the rest follows with its delays.
  await stdoutIs(page, "frame 1\n");
  assert.match(await page.textContent("#status"), /^Replaying/);
  assert.equal(await page.isVisible("#replay-skip"), true);
  assert.equal(await page.isVisible("#replay-stop"), true);
  assert.equal(await page.isVisible("#replay-again"), false);
  assert.match(await runAndWait(page), /^success · exit 0/);
  const states = await paneStates(page);
  assert.deepEqual(
    states.map((s) => s.text),
    ["frame 1\n", "frame 1\nframe 2\n", "frame 3 <b>x</b>\n", "frame 3 <b>x</b>\ndone\n"],
    "the form feed cleared what came before it",
  );
  for (let i = 1; i < states.length; i++) {
    const gap = states[i].t - states[i - 1].t;
    assert.ok(gap >= 380, `event ${i} came after its 400 ms delay (${gap.toFixed(0)} ms)`);
  }
  assert.equal(await page.textContent("#stderr"), "warming up\n", "stderr's pane is its own");
  assert.equal(await page.locator("#stdout b").count(), 0, "text, not HTML");
  assert.match(await page.textContent("#timeline-label"), /^Output timeline: 1\.20 s \(virtual time\)$/);
  assert.equal(sent[0].time, "virtual");

  // Replay, then skip to the end: everything at once.
  await page.click("#replay-again");
  assert.equal(await page.textContent("#stdout"), "frame 1\n");
  await page.click("#replay-skip");
  assert.equal(await page.textContent("#stdout"), "frame 3 <b>x</b>\ndone\n");
  assert.match(await page.textContent("#status"), /^success/);
  assert.equal(await page.isVisible("#replay-again"), true);

  // Replay, then stop: what was shown stays, nothing more comes.
  await page.click("#replay-again");
  await page.click("#replay-stop");
  await page.waitForTimeout(900);
  assert.equal(await page.textContent("#stdout"), "frame 1\n");
  assert.match(await page.textContent("#timeline-label"), /^Stopped at 0 ms of 1\.20 s/);

  // A new run cancels a replay; output without delays shows at once, with no timeline.
  await page.click("#replay-again");
  reply = {
    ...timed,
    run: { ...timed.run, stdout: "hello\n", stderr: "", events: [{ message: "hello\n", stream: "stdout", delay_ns: 0 }] },
  };
  assert.match(await runAndWait(page), /^success/);
  assert.equal(await page.textContent("#stdout"), "hello\n");
  assert.equal(await page.isVisible("#timeline"), false);
  await page.waitForTimeout(900);
  assert.equal(await page.textContent("#stdout"), "hello\n", "the old replay wrote nothing more");
  assert.equal(await page.isVisible("#stderr-box"), false);

  // The real-time switch goes into the request and is remembered.
  await page.check("#realtime");
  await runAndWait(page);
  assert.equal(sent[sent.length - 1].time, "real");
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.isChecked("#realtime"), true);
});

// Pictures: a 2×2 red PNG, a static SVG, and IMAGE: lines that carry HTML or script.
const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==";
const b64 = (s) => Buffer.from(s).toString("base64");
const SVG_B64 = b64('<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect width="30" height="20" fill="blue"/></svg>');
const HOSTILE = [
  '<img src=x onerror="window.pwned=1">',
  b64('<html><body><script>window.pwned=1</script></body></html>'),
  b64('<svg xmlns="http://www.w3.org/2000/svg" onload="window.pwned=1"><script>window.pwned=1</script></svg>'),
];

test("IMAGE: lines of PNG or SVG data show as images; HTML or script in one stays text and never runs", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t);
  const dialogs = [];
  page.on("dialog", (d) => (dialogs.push(d.message()), d.dismiss()));
  const lines = [`IMAGE:${PNG_B64}`, "between", `IMAGE:${SVG_B64}`, ...HOSTILE.map((h) => `IMAGE:${h}`)];
  await typeCode(page, `fn main() {\n${lines.map((l) => `    println!("{}", ${JSON.stringify(l)});\n`).join("")}}\n`);
  assert.match(await runAndWait(page), /^success/);
  const images = await page.$$eval("#stdout img", (imgs) =>
    imgs.map((i) => ({ cls: i.className, src: i.src.slice(0, 26) })),
  );
  await page.waitForFunction(() => [...document.querySelectorAll("#stdout img")].every((i) => i.complete && i.naturalWidth > 0));
  const sizes = await page.$$eval("#stdout img", (imgs) => imgs.map((i) => [i.naturalWidth, i.naturalHeight]));
  assert.deepEqual(images.map((i) => [i.cls, i.src]), [
    ["corral-image", "data:image/png;base64,iVBO"],
    ["corral-image", "data:image/svg+xml;base64,"],
  ]);
  assert.deepEqual(sizes, [[2, 2], [30, 20]], "both decoded");
  const text = await page.textContent("#stdout");
  assert.equal(text, "between\n" + HOSTILE.map((h) => `IMAGE:${h}\n`).join(""), "the hostile lines stay text");
  assert.equal(await page.locator("#stdout script, #stdout svg, #stdout iframe, #stdout object").count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined, "no script from the output ran");
  assert.deepEqual(dialogs, []);

  // Streamed: the image shows once its line is complete.
  await typeCode(page, `fn main() {\n    println!("{}", ${JSON.stringify("IMAGE:" + PNG_B64)});\n    println!("done");\n}\n`);
  await page.click("#stream");
  await page.waitForFunction(() => /^(success|failed)/.test(document.getElementById("status").textContent), null, {
    timeout: RUN_TIMEOUT,
  });
  assert.equal(await page.locator("#live-out img.corral-image").count(), 1);
  assert.equal(await page.textContent("#live-out"), "done\n");
});

test("examples/plot.rs draws its plot on the page", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t);
  await typeCode(page, readFileSync(join(root, "examples/plot.rs"), "utf8"));
  assert.match(await runAndWait(page), /^success/);
  await page.waitForFunction(() => document.querySelector("#stdout img.corral-image")?.naturalWidth === 480);
  assert.equal(await page.textContent("#stdout"), "Plotted sin and cos on [-3.2, 3.2].\n");
  await page.locator(".output-pane").screenshot({ path: join(SHOTS, "plot.png") });
});

test("an animation of IMAGE: frames replays with its delays, each form feed clearing the last frame", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t);
  // Three frames of a moving square, 300 ms apart in the program's (virtual) time.
  await typeCode(
    page,
    [
      "fn frame(x: u32) -> String {",
      '    format!("<svg xmlns=\\"http://www.w3.org/2000/svg\\" width=\\"60\\" height=\\"20\\"><rect x=\\"{x}\\" width=\\"20\\" height=\\"20\\"/></svg>")',
      "}",
      "fn b64(data: &[u8]) -> String {",
      '    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";',
      "    let mut out = String::new();",
      "    for c in data.chunks(3) {",
      "        let n = c.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));",
      "        for i in 0..4 {",
      "            out.push(if i <= c.len() { A[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });",
      "        }",
      "    }",
      "    out",
      "}",
      "fn main() {",
      "    for x in [0, 20, 40] {",
      '        println!("\\x0cIMAGE:{}", b64(frame(x).as_bytes()));',
      "        std::thread::sleep(std::time::Duration::from_millis(300));",
      "    }",
      "}",
      "",
    ].join("\n"),
  );
  await page.evaluate(() => {
    const t0 = performance.now();
    window.frames_ = [];
    new MutationObserver(() => {
      const imgs = document.querySelectorAll("#stdout img");
      const src = imgs.length === 1 ? imgs[0].src : null;
      const last = window.frames_[window.frames_.length - 1];
      if (src && last?.src !== src) window.frames_.push({ src, t: performance.now() - t0 });
    }).observe(document.getElementById("stdout"), { childList: true, subtree: true });
  });
  assert.match(await runAndWait(page), /^success/);
  const frames = await page.evaluate(() => window.frames_);
  assert.equal(frames.length, 3, "three frames, one at a time");
  const decoded = frames.map((f) => Buffer.from(f.src.split(",")[1], "base64").toString());
  assert.deepEqual(decoded.map((svg) => svg.match(/x="(\d+)"/)[1]), ["0", "20", "40"]);
  for (let i = 1; i < frames.length; i++) {
    const gap = frames[i].t - frames[i - 1].t;
    assert.ok(gap >= 250, `frame ${i} came ${gap} ms after the one before`);
  }
});

test("a program that sleeps replays its output with its delays, in virtual and real time", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t);
  await typeCode(
    page,
    'fn main() {\n    println!("tick 1");\n    std::thread::sleep(std::time::Duration::from_millis(500));\n    print!("\\x0ctick 2\\n");\n}\n',
  );
  for (const mode of ["virtual", "real"]) {
    if (mode === "real") await page.check("#realtime");
    await recordPanes(page);
    assert.match(await runAndWait(page), /^success/);
    const states = await paneStates(page);
    assert.deepEqual(
      states.map((s) => s.text),
      ["tick 1\n", "tick 2\n"],
      mode,
    );
    const gap = states[1].t - states[0].t;
    assert.ok(gap >= 450, `${mode} time: replayed with the program's delay (${gap} ms)`);
    assert.match(await page.textContent("#timeline-label"), new RegExp(`\\(${mode} time\\)$`));
  }
});

test("the page is served with a strict policy and cacheable assets", async (t) => {
  if (env.skip) return t.skip(env.skip);
  const r = await fetch(`${env.base}/p/abc`);
  assert.equal(r.status, 200);
  const csp = r.headers.get("content-security-policy");
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(r.headers.get("x-frame-options"), "DENY");
  const html = await r.text();
  const js = html.match(/src="(\/assets\/app\.js\?v=[0-9a-f]{16})"/)[1];
  const a = await fetch(env.base + js);
  assert.equal(a.headers.get("content-type"), "text/javascript");
  assert.match(a.headers.get("cache-control"), /immutable/);
  const again = await fetch(env.base + js, { headers: { "If-None-Match": a.headers.get("etag") } });
  assert.equal(again.status, 304);
  const css = await fetch(`${env.base}/assets/app.css`);
  assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
  assert.equal((await fetch(`${env.base}/assets/../Cargo.toml`)).status, 404);
});
