// The Rust Playground's own frontend (rust-lang/rust-playground's ui/frontend at the
// commit vendored in third_party/rust-playground/, built by scripts/frontend-test.sh)
// against a real `corral serve`: its files served, its API routes and `/websocket`
// proxied to corral (./serve.mjs), driven in headless Chromium the way upstream's
// feature tests (tests/spec/features/*_spec.rb, Capybara) drive it: the same code,
// the same clicks, the same expected text. Each test names the spec it follows.
//
// FRONTEND_DIST is the built frontend (the directory with index.html and assets/);
// CORRAL_BIN, Chromium, playwright-core and when the tests skip are as in
// ../test-support.mjs (CORRAL_PAGE_TESTS=require: fail instead of skipping).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { env, setup as setupCorral, teardown as teardownCorral } from "../test-support.mjs";
import { startFrontendServer } from "./serve.mjs";

const DIST = process.env.FRONTEND_DIST;
// How long a run or a tool may take (a cold compile in the sandbox), and how long the
// page may take to show what is already there.
const SLOW = 90_000;
const QUICK = 10_000;

let front = null;

before(async () => {
  await setupCorral();
  if (env.skip) return;
  if (!DIST || !existsSync(join(DIST, "index.html"))) {
    const why = `no built frontend at FRONTEND_DIST=${DIST ?? ""} (scripts/frontend-test.sh builds it)`;
    if (process.env.CORRAL_PAGE_TESTS === "require") throw new Error(why);
    console.log(`SKIP: ${why}`);
    env.skip = why;
    return;
  }
  front = await startFrontendServer({ dist: DIST, corral: env.base });
});

after(async () => {
  await front?.close();
  await teardownCorral();
});

// ---- helpers: upstream's spec_helper.rb and support/*.rb, in Playwright ----

/**
 * A fresh browser context (empty local storage, as upstream's driver clears it) at
 * `path` on the frontend. Requests off loopback (the Google fonts of index.html) are
 * refused. Page errors, console errors and WebSocket messages the frontend cannot parse
 * fail the test. Unless `websocket` is false, waits until the frontend's WebSocket has
 * connected (upstream's runs go over it when it is). The page gets `wsMessages` (every
 * WebSocket message, parsed, with `dir` "sent" or "received").
 */
async function openPlayground(t, path = "/", { websocket = true } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  t.after(() => context.close());
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  if (!websocket) {
    // The frontend then has no WebSocket and runs over HTTP (POST /execute).
    await context.routeWebSocket(/\/websocket$/, (ws) => ws.close());
  }
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    const text = m.text();
    // A WebSocket message that does not fit the frontend's schema is dropped with a log
    // line; a console error is a problem, except a refused resource (the fonts).
    if (/Unable to parse WebSocket message/.test(text)) problems.push(text);
    else if (m.type() === "error" && !/Failed to load resource/.test(text)) problems.push(text);
  });
  t.after(() => assert.deepEqual(problems, [], "no script errors, every WebSocket message understood"));
  page.wsMessages = [];
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => page.wsMessages.push({ dir: "sent", ...JSON.parse(f.payload) }));
    ws.on("framereceived", (f) => page.wsMessages.push({ dir: "received", ...JSON.parse(f.payload) }));
  });
  await page.goto(front.url + path);
  await page.waitForFunction(() => window.rustPlayground !== undefined, null, { timeout: QUICK });
  await page.locator(".ace_editor").waitFor({ timeout: QUICK });
  if (websocket) await waitFor(() => page.wsMessages.some((f) => f.dir === "received" && f.type === "websocket/connected"));
  return page;
}

async function waitFor(cond, timeout = QUICK) {
  const deadline = Date.now() + timeout;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${cond}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// support/editor.rb
const setCode = (page, code) => page.evaluate((c) => window.rustPlayground.setCode(c), code);
const editorLines = (page) => page.locator(".ace_line").allInnerTexts();
async function expectLine(page, text, timeout = QUICK) {
  await page.locator(".ace_line", { hasText: text }).first().waitFor({ timeout });
}
async function expectNoLine(page, text) {
  const lines = await editorLines(page);
  assert.ok(!lines.some((l) => l.includes(text)), `no editor line has ${JSON.stringify(text)}: ${JSON.stringify(lines)}`);
}

// spec_helper.rb's :output selector: `within(:output, :stdout)`.
const output = (page, kind) => page.locator(`[data-test-id="output-${kind}"]`).first();
async function expectOutput(page, kind, text, timeout = SLOW) {
  try {
    await page.locator(`[data-test-id="output-${kind}"]`, { hasText: text }).first().waitFor({ timeout });
  } catch (e) {
    const all = await page
      .locator('[data-test-id="output"]')
      .innerText({ timeout: 1000 })
      .catch(() => "(no output pane)");
    throw new Error(`output-${kind} never had ${text}; the output pane shows:\n${all}\n(${e.message.split("\n")[0]})`);
  }
}
async function expectNoOutput(page, kind, text) {
  const shown = await output(page, kind)
    .innerText({ timeout: 1000 })
    .catch(() => "");
  assert.ok(typeof text === "string" ? !shown.includes(text) : !text.test(shown), `output-${kind} has ${text}: ${shown}`);
}

// support/playground_actions.rb: the header's menus, by their buttons' titles.
const MENU = {
  build: "Select what to build",
  mode: "Mode — Choose the optimization level",
  channel: "Channel — Choose the Rust version",
  advanced: "Advanced compilation flags",
  tools: "Run extra tools on the source code",
  config: "Show the configuration options",
};
async function inMenu(page, which, body, { close = false } = {}) {
  await page.click(`[data-test-id="header"] button[title="${MENU[which]}"]`);
  const menu = page.locator("[role=dialog]").last();
  await menu.waitFor({ timeout: QUICK });
  await body(menu);
  if (close) await page.click(`[data-test-id="header"] button[title="${MENU[which]}"]`);
}
// A menu item (ButtonMenuItem or SelectableMenuItem) by its name.
const menuItem = (menu, name) =>
  menu.locator("button").filter({
    has: menu.page().locator(`[data-test-id="button-menu-item__name"], span`).getByText(name, { exact: true }),
  });
// Capybara's `choose` with automatic_label_click: the radio buttons are hidden behind
// their labels, which take the click.
const choose = (menu, label) => menu.locator("label").getByText(label, { exact: true }).click();
const clickRun = (page) => page.locator('[data-test-id="header"] button', { hasText: /^Run/ }).click();

// support/file_tree.rb
const filetree = (page) => page.locator('[data-test-id="filetree"]');
const selectFile = (page, name) => filetree(page).locator(`button[title="${name}"]`).click();
async function createFile(page, name) {
  await filetree(page).locator('button[title="Create file"]').click();
  await filetree(page).locator('input[name="pathname"]').fill(name);
  await filetree(page).locator('button[title="Create new file"]').click();
}

const sent = (page, type) => page.wsMessages.filter((f) => f.dir === "sent" && f.type === type);

const skipIf = (t) => {
  if (env.skip) {
    t.skip(env.skip);
    return true;
  }
  return false;
};

const T = { timeout: 3 * SLOW };

// ---- /meta/versions ----

test("the channel and tools menus show corral's /meta/versions", T, async (t) => {
  if (skipIf(t)) return;
  const versions = await (await fetch(`${front.url}/meta/versions`)).json();
  const page = await openPlayground(t);
  await inMenu(page, "channel", async (menu) => {
    await menu.getByText(`Build using the Stable version: ${versions.stable.rustc.version}`).waitFor({ timeout: QUICK });
    const n = versions.nightly.rustc;
    await menu.getByText(`Build using the Nightly version: ${n.version}`).waitFor({ timeout: QUICK });
    await menu.getByText(`(${n.date} ${n.hash.slice(0, 20)})`).waitFor({ timeout: QUICK });
  });
  await page.keyboard.press("Escape");
  await inMenu(page, "tools", async (menu) => {
    const text = await menu.innerText();
    // The selected channel's (stable's) rustfmt and Clippy, nightly's rustc for macros.
    const v = (x) => `${x.version} (${x.date} ${x.hash.slice(0, 20)})`;
    for (const want of [v(versions.stable.rustfmt), v(versions.stable.clippy), v(versions.nightly.rustc)]) {
      assert.ok(text.includes(want), `the tools menu shows ${want}:\n${text}`);
    }
  });
});

// ---- running: automatic_primary_action_spec.rb, streaming_spec.rb ----

const HELLO = 'fn main() {\n    println!("Hello, world!");\n}\n';

test("Run goes over the WebSocket: the request, its output and its end", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, HELLO);
  await clickRun(page);
  await expectOutput(page, "stdout", "Hello, world!");
  const [req] = sent(page, "output/execute/wsExecuteRequest");
  assert.equal(req.payload.code, HELLO);
  assert.deepEqual(
    { ...req.payload, code: undefined },
    { channel: "stable", mode: "debug", edition: "2024", crateType: "bin", tests: false, backtrace: false, code: undefined },
  );
  await waitFor(() => page.wsMessages.some((f) => f.type === "output/execute/wsExecuteEnd" && f.payload.success));
  assert.ok(!front.requests.includes("POST /execute"), "not over HTTP");
});

test("Run goes over HTTP (POST /execute) when there is no WebSocket", T, async (t) => {
  if (skipIf(t)) return;
  const before = front.requests.filter((r) => r === "POST /execute").length;
  const page = await openPlayground(t, "/", { websocket: false });
  await setCode(page, 'fn main() {\n    println!("over HTTP");\n    eprintln!("to stderr");\n}\n');
  await clickRun(page);
  await expectOutput(page, "stdout", "over HTTP");
  await expectOutput(page, "stderr", "to stderr", QUICK);
  assert.equal(front.requests.filter((r) => r === "POST /execute").length, before + 1);
  assert.equal(page.wsMessages.length, 0, "no WebSocket message");
});

test("streaming: output comes when it is available (streaming_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t, "/?features=true");
  await setCode(
    page,
    `use std::time::Duration;

fn main() {
    println!("First");
    std::thread::sleep(Duration::from_millis(750));
    println!("Second");
    std::thread::sleep(Duration::from_millis(750));
    println!("Third");
}
`,
  );
  await clickRun(page);
  await expectOutput(page, "stdout", "First");
  await expectNoOutput(page, "stdout", "Second");
  // Upstream waits 0.8 s for each; the sandbox's clock is real time here.
  await expectOutput(page, "stdout", "Second", 1500);
  await expectNoOutput(page, "stdout", "Third");
  await expectOutput(page, "stdout", "Third", 1500);
});

test("stdin: input can be supplied (streaming_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t, "/?features=true");
  await setCode(
    page,
    `fn main() {
    println!("Enter some text!");
    let mut input = String::new();
    std::io::stdin().read_line(&mut input).expect("Unable to read input");
    println!("You entered >>>{input:?}<<<");
}
`,
  );
  await clickRun(page);
  await expectOutput(page, "stdout", "Enter some text");
  await expectNoOutput(page, "stdout", "You entered");
  const stdin = page.locator('[data-test-id="stdin"]');
  await stdin.locator('textarea[name="content"]').fill("An automated test");
  await stdin.getByRole("button", { name: /Send/ }).click();
  await expectOutput(page, "stdout", 'You entered >>>"An automated test\\n"<<<');
});

test("stdin: input can be closed (streaming_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t, "/?features=true");
  await setCode(
    page,
    `fn main() {
    let mut input = String::new();
    while std::io::stdin().read_line(&mut input).unwrap() != 0 {
        println!("You entered >>>{input:?}<<<");
        input.clear();
    }
    println!("All done");
}
`,
  );
  await clickRun(page);
  await waitForRunning(page);
  await executionControl(page, "Close stdin");
  await expectOutput(page, "stdout", "All done");
});

const LOOP = `fn main() {
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}
`;

// The stdin controls are enabled once the run has begun (wsExecuteBegin).
async function waitForRunning(page) {
  await waitFor(() => page.wsMessages.some((f) => f.type === "output/execute/wsExecuteBegin"), SLOW);
  await page.locator('[data-test-id="stdin"] button[title="Execution control"]:enabled').waitFor({ timeout: QUICK });
}
async function executionControl(page, item) {
  const stdin = page.locator('[data-test-id="stdin"]');
  await stdin.locator('button[title="Execution control"]').click();
  await stdin.getByRole("button", { name: item }).click();
}

test("kill: the process can be killed (streaming_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t, "/?features=true");
  await setCode(page, LOOP);
  await clickRun(page);
  await waitForRunning(page);
  await executionControl(page, "Kill process");
  await expectOutput(page, "error", "SIGKILL", QUICK);
  assert.equal(sent(page, "output/execute/wsExecuteKill").length, 1);
});

test("kill: the process can be killed after stdin is closed (streaming_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t, "/?features=true");
  await setCode(page, LOOP);
  await clickRun(page);
  await waitForRunning(page);
  await executionControl(page, "Close stdin");
  await executionControl(page, "Kill process");
  await expectOutput(page, "error", "SIGKILL", QUICK);
});

// ---- compilation_targets_spec.rb ----

const IGNORING_PRIMARY = `#[test]
fn a_test() { assert!(false); }
fn main() { println!("Hello, world!"); }
`;

async function buildMenu(page, item) {
  await inMenu(page, "build", (menu) => menuItem(menu, item).click());
}

test("build: Build compiles without running (compilation_targets_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, IGNORING_PRIMARY);
  await buildMenu(page, "Build");
  await expectOutput(page, "stderr", "function `main` is never used");
  const [req] = sent(page, "output/execute/wsExecuteRequest");
  assert.equal(req.payload.crateType, "lib");
});

test("run: Run from the build menu (compilation_targets_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, IGNORING_PRIMARY);
  await buildMenu(page, "Run");
  await expectOutput(page, "stdout", "Hello, world!");
});

test("test: Test runs the tests (compilation_targets_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, IGNORING_PRIMARY);
  await buildMenu(page, "Test");
  await expectOutput(page, "stdout", "assertion failed: false");
  const [req] = sent(page, "output/execute/wsExecuteRequest");
  assert.equal(req.payload.tests, true);
});

for (const [flavor, instruction] of [
  ["AT&T", "addq $40, %rsp"],
  ["Intel", "add rsp, 40"],
]) {
  test(`asm: ${flavor} syntax (compilation_targets_spec.rb)`, T, async (t) => {
    if (skipIf(t)) return;
    const page = await openPlayground(t);
    await setCode(page, HELLO);
    await inMenu(page, "config", (menu) => choose(menu, flavor), { close: true });
    await buildMenu(page, "ASM");
    // Demangled symbols.
    await expectOutput(page, "code", "playground::main:");
    await expectOutput(page, "code", instruction, QUICK);
  });
}

test("LLVM IR (compilation_targets_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, HELLO);
  await buildMenu(page, "LLVM IR");
  for (const text of ["ModuleID", "target datalayout", "target triple"]) await expectOutput(page, "code", text);
});

test("MIR (compilation_targets_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, HELLO);
  await buildMenu(page, "MIR");
  await expectOutput(page, "result", "bb0: {");
});

test("HIR, which switches to nightly (compilation_targets_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, "fn demo() -> impl std::fmt::Display { 42 }\n");
  await buildMenu(page, "HIR");
  await expectOutput(page, "result", "fn demo() -> /*impl Trait*/ { 42 }");
});

test("a compile error shows in stderr (compilation_targets_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, "fn main() {");
  await buildMenu(page, "MIR");
  await expectOutput(page, "stderr", "an unclosed delimiter");
});

// test_action_spec.rb tests a proc-macro crate ("running 0 tests"); corral builds bin
// and lib crates only and refuses the run: the frontend must show why.
test("a run corral refuses shows corral's reason (test_action_spec.rb's proc-macro crate)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(
    page,
    `#![crate_type = "proc-macro"]

use proc_macro::TokenStream;

#[proc_macro]
pub fn demo(input: TokenStream) -> TokenStream {
    input
}
`,
  );
  await buildMenu(page, "Test");
  const [req] = sent(page, "output/execute/wsExecuteRequest");
  assert.equal(req.payload.crateType, "proc-macro");
  await expectOutput(page, "error", "use bin or lib");
  // The run is over: the Run button is not busy.
  await waitFor(() => page.wsMessages.some((f) => f.type === "output/execute/wsExecuteEnd"));
});

// ---- tools_spec.rb ----

async function toolsMenu(page, item) {
  await inMenu(page, "tools", (menu) => menuItem(menu, item).click());
}

test("rustfmt formats the code (tools_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, "fn main() { [1,2,3,4]; }");
  await toolsMenu(page, "Rustfmt");
  await expectLine(page, "[1, 2, 3, 4];", SLOW);
});

test("Clippy shows its lints (tools_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(
    page,
    `use itertools::Itertools;

fn example() {
    let a = 0.0 / 0.0;
    println!("NaN is {}", a);
}
`,
  );
  await toolsMenu(page, "Clippy");
  await expectOutput(page, "stderr", "deny(clippy::eq_op)");
  await expectOutput(page, "stderr", "warn(clippy::zero_divided_by_zero)", QUICK);
});

test("macro expansion on nightly (tools_spec.rb, without its third-party macro)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  // Upstream's code also has `#[tokio::main]` (a crate's procedural macro, expanded
  // to `block_on(body)`); macro expansion is always on nightly, and crates on nightly
  // need the nightly bake, which CI does not do: the crates are tested on stable below.
  await setCode(
    page,
    `macro_rules! demo {
    ($name:ident) => {
        fn $name() -> i32 { 42 }
    }
}

demo!(created_by_macro);

fn main() {
    println!("a value: {}", created_by_macro());
}
`,
  );
  await toolsMenu(page, "Expand macros");
  // First-party
  await expectOutput(page, "stdout", "::std::io::_print");
  // User-specified declarative macro
  await expectOutput(page, "stdout", "fn created_by_macro() -> i32 { 42 }", QUICK);
});

// ---- backtrace_spec.rb ----

const BACKTRACE = `fn trigger_the_problem() {
    None::<u8>.unwrap();
}

fn main() {
    trigger_the_problem()
}
`;

test("backtrace: shown when enabled, its files link to the code (backtrace_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, BACKTRACE);
  await inMenu(page, "advanced", (menu) => choose(menu, "On"));
  await page.keyboard.press("Escape");
  await clickRun(page);
  await expectOutput(page, "stderr", "stack backtrace:");
  await expectOutput(page, "stderr", "rust_begin_unwind", QUICK);
  const stderr = output(page, "stderr");
  await stderr.getByRole("link", { name: "main.rs:2" }).first().waitFor({ timeout: QUICK });
  await stderr.getByRole("link", { name: "main.rs:6" }).first().waitFor({ timeout: QUICK });
  const [req] = sent(page, "output/execute/wsExecuteRequest");
  assert.equal(req.payload.backtrace, true);
});

test("backtrace: when disabled, the suggestion is a link (backtrace_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, BACKTRACE);
  await clickRun(page);
  await expectOutput(page, "stderr", "panicked");
  await output(page, "stderr")
    .getByRole("link", { name: /Run with .* a backtrace/i })
    .waitFor({ timeout: QUICK });
});

// ---- sharing_with_others_spec.rb ----

test("share: a gist saved with its channel, mode and edition, and loaded back (sharing_with_others_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(page, "// This code was saved by an automated test for the Rust Playground\n");
  await inMenu(page, "channel", (menu) => menuItem(menu, "Nightly channel").click());
  await inMenu(page, "mode", (menu) => menuItem(menu, "Release").click());
  await inMenu(page, "advanced", (menu) => menu.locator("select").selectOption("2018"));
  await page.keyboard.press("Escape");
  await page.locator('[data-test-id="header"] button', { hasText: "Share" }).click();

  const link = (name) => page.getByRole("link", { name }).getAttribute("href");
  await page.getByRole("link", { name: "Permalink to the playground" }).waitFor({ timeout: SLOW });
  const permalink = await link("Permalink to the playground");
  const direct = await link("Direct link to the gist");
  const urlo = await link("Open a new thread in the Rust user forum");

  const gist = new URL(permalink).searchParams.get("gist");
  assert.match(gist, /^[A-Za-z0-9_-]{16}$/);
  await page.waitForURL((u) => u.pathname === "/" && u.searchParams.get("gist") === gist, { timeout: QUICK });
  assert.match(permalink, /mode=release/);
  assert.match(permalink, /version=nightly/);
  assert.match(permalink, /edition=2018/);
  // corral stores gists itself: the direct link is this server's.
  assert.equal(direct, `${front.url}/?gist=${gist}`);
  assert.match(urlo, /^https:\/\/users\.rust-lang\.org\/new-topic/);
  assert.ok(urlo.includes("automated+test"), urlo);

  await page.goto("about:blank");
  await page.goto(permalink);
  await page.getByRole("link", { name: "Permalink to the playground" }).waitFor({ timeout: SLOW });
  await expectLine(page, "automated test");
  assert.ok(front.requests.includes(`GET /meta/gist/${gist}`));
});

// ---- crates, editions, modes, channels ----

test("crates: `use rand` on stable", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await setCode(
    page,
    `use rand::Rng;

fn main() {
    let n: u32 = rand::thread_rng().gen_range(1..=6);
    println!("rolled a die: {}", (1..=6).contains(&n));
}
`,
  );
  await clickRun(page);
  await expectOutput(page, "stdout", "rolled a die: true");
});

const EDITION_CODE = `#![allow(non_fmt_panics)]
fn main() {
    panic!(async {})
}
`;

for (const [edition, code, expected] of [
  ["2015", EDITION_CODE, "cannot find struct, variant or union type `async` in this scope"],
  ["2018", EDITION_CODE, /thread 'main' \(\d+\) panicked at src\/main.rs:3:5/],
  ["2021", EDITION_CODE, "format argument must be a string literal"],
  ["2024", "      fn main() {\n          let gen = 1;\n      }\n", "found reserved keyword `gen`"],
]) {
  test(`editions: ${edition} (editions_spec.rb)`, T, async (t) => {
    if (skipIf(t)) return;
    const page = await openPlayground(t);
    await setCode(page, code);
    await inMenu(page, "advanced", (menu) => menu.locator("select").selectOption(edition));
    await page.keyboard.press("Escape");
    await clickRun(page);
    await expectOutput(page, "stderr", expected);
    const [req] = sent(page, "output/execute/wsExecuteRequest");
    assert.equal(req.payload.edition, edition);
  });
}

const MODE_CODE = `#[cfg(debug_assertions)]
fn main() {
    println!("Compiling in debug mode");
}

#[cfg(not(debug_assertions))]
fn main() {
    println!("Compiling in release mode");
}
`;

for (const mode of ["Debug", "Release"]) {
  test(`modes: ${mode} (compilation_modes_spec.rb)`, T, async (t) => {
    if (skipIf(t)) return;
    const page = await openPlayground(t);
    await setCode(page, MODE_CODE);
    await inMenu(page, "mode", (menu) => menuItem(menu, mode).click());
    await clickRun(page);
    const other = mode === "Debug" ? "release" : "debug";
    await expectOutput(page, "stdout", `Compiling in ${mode.toLowerCase()} mode`);
    await expectNoOutput(page, "stdout", `Compiling in ${other} mode`);
  });
}


// multiple_channels_spec.rb runs `rustc --version` from the program; corral's sandbox
// has no compiler at run time (the program gets "No such file or directory"), so here
// the code uses a feature gate: it runs on nightly and is refused (E0554) on stable.
for (const channel of ["Stable", "Nightly"]) {
  test(`channels: ${channel} (multiple_channels_spec.rb)`, T, async (t) => {
    if (skipIf(t)) return;
    const page = await openPlayground(t);
    await setCode(
      page,
      `#![feature(never_type)]
fn main() {
    let _: Option<!> = None;
    println!("rustc nightly");
}
`,
    );
    await inMenu(page, "channel", (menu) => menuItem(menu, `${channel} channel`).click());
    await clickRun(page);
    const [req] = sent(page, "output/execute/wsExecuteRequest");
    assert.equal(req.payload.channel, channel.toLowerCase());
    if (channel === "Nightly") await expectOutput(page, "stdout", "rustc nightly");
    else await expectOutput(page, "stderr", "E0554");
  });
}

// Beta, as the frontend offers it: run where it is installed, else corral's reason.
test("channels: Beta, or why not (multiple_channels_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const versions = await (await fetch(`${front.url}/meta/versions`)).json();
  const page = await openPlayground(t);
  await setCode(page, 'fn main() {\n    println!("on beta");\n}\n');
  await inMenu(page, "channel", (menu) => menuItem(menu, "Beta channel").click());
  await clickRun(page);
  const [req] = sent(page, "output/execute/wsExecuteRequest");
  assert.equal(req.payload.channel, "beta");
  if (versions.beta.rustc.version === "not installed") {
    await expectOutput(page, "error", 'toolchain "beta" is not installed');
  } else {
    await expectOutput(page, "stdout", "on beta");
  }
});

// ---- multi-file: multi_file_editor_spec.rb, sharing_with_others_spec.rb ----
// The frontend offers several files when the server's featureFlags allow it (corral's
// multifileThreshold is 1.0, every client; upstream's CI sets the same,
// PLAYGROUND_MULTIFILE_THRESHOLD=1): the page is opened as a user would, at `/`.

async function twoFiles(page, main, utils) {
  await inMenu(page, "config", (menu) => choose(menu, "multiple"), { close: true });
  await selectFile(page, "src/main.rs");
  await setCode(page, main);
  await createFile(page, "src/utils.rs");
  await setCode(page, utils);
}

test("multi-file: editing and running multiple files over the WebSocket (multi_file_editor_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await twoFiles(
    page,
    'mod utils;\n\nfn main() {\n    println!("Hello to the whole {}", utils::greeting());\n}\n',
    "pub fn greeting() -> &'static str {\n    \"world\"\n}\n",
  );
  await selectFile(page, "src/main.rs");
  await expectLine(page, "mod utils;");
  await expectNoLine(page, "pub fn greeting()");
  await selectFile(page, "src/utils.rs");
  await expectLine(page, "pub fn greeting()");
  await expectNoLine(page, "mod utils;");

  await clickRun(page);
  await expectOutput(page, "stdout", "Hello to the whole world");
  const [req] = sent(page, "output/execute/wsExecuteRequest");
  assert.ok(Array.isArray(req.payload.code), "code is a list of files");
  assert.deepEqual(
    req.payload.code.map((f) => [typeof f.id, f.name]).sort(),
    [
      ["number", "src/main.rs"],
      ["number", "src/utils.rs"],
    ],
  );
});

test("multi-file: rustfmt formats every file", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await twoFiles(page, "mod utils;\nfn main() { utils::f( [1,2,3,4] ); }\n", "pub fn f(_:[i32;4]){ }\n");
  await toolsMenu(page, "Rustfmt");
  await expectLine(page, "pub fn f(_: [i32; 4]) {}", SLOW);
  await selectFile(page, "src/main.rs");
  await expectLine(page, "utils::f([1, 2, 3, 4]);");
  assert.ok(front.requests.includes("POST /format"));
});

test("multi-file: Clippy lints every file", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await twoFiles(
    page,
    'mod utils;\nfn main() {\n    let a = 1;\n    println!("{}", a == a);\n    utils::f();\n}\n',
    "pub fn f() {\n    let x = 0.0 / 0.0;\n    println!(\"{x}\");\n}\n",
  );
  await toolsMenu(page, "Clippy");
  await expectOutput(page, "stderr", "deny(clippy::eq_op)");
  await expectOutput(page, "stderr", "src/main.rs", QUICK);
  await expectOutput(page, "stderr", "warn(clippy::zero_divided_by_zero)", QUICK);
  await expectOutput(page, "stderr", "src/utils.rs", QUICK);
});

test("multi-file: a gist of several files, saved and restored (sharing_with_others_spec.rb)", T, async (t) => {
  if (skipIf(t)) return;
  const page = await openPlayground(t);
  await twoFiles(
    page,
    'mod utils;\n\nfn main() {\n    println!("{}", utils::greet());\n}\n',
    "pub fn greet() -> &'static str {\n    \"Hello from multi-file!\"\n}\n",
  );
  await page.locator('[data-test-id="header"] button', { hasText: "Share" }).click();
  await page.getByRole("link", { name: "Permalink to the playground" }).waitFor({ timeout: SLOW });
  const permalink = await page.getByRole("link", { name: "Permalink to the playground" }).getAttribute("href");

  await page.goto("about:blank");
  await page.goto(permalink);
  await selectFile(page, "src/main.rs");
  await expectLine(page, "mod utils;");
  await expectLine(page, 'println!("{}", utils::greet());');
  await selectFile(page, "src/utils.rs");
  await expectLine(page, "pub fn greet()");
  await expectLine(page, '"Hello from multi-file!"');

  // And it runs as it was saved.
  await clickRun(page);
  await expectOutput(page, "stdout", "Hello from multi-file!");
});
