// mdBook's runnable examples on corral, end to end: the real `mdbook` binary (MDBOOK,
// installed by scripts/mdbook-test.sh) builds book/ after `corral mdbook` pointed it at a
// real `corral serve`; the built book is served from another loopback origin (and opened
// from file://), and headless Chromium clicks its Run buttons. The output must come from
// corral, and no request may reach play.rust-lang.org (every one is blocked and counted).
// The server and browser: ../test-support.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { env, freePort, RUN_TIMEOUT, root, setup, teardown } from "../test-support.mjs";

const MDBOOK = process.env.MDBOOK || "mdbook";
const CORRAL = process.env.CORRAL_BIN || join(root, "target/debug/corral");
const FIXTURE = join(root, "web/test-mdbook/book");
// A string of this run's own: output holding it cannot come from anywhere but corral
// running this book's code (and is never in corral's memo from an earlier run).
const NONCE = `n${process.pid}x${Date.now().toString(36)}`;

let work = null; // the book's copy
let site = null; // the static server of the built book: {server, base}

function corral(...args) {
  return execFileSync(CORRAL, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

before(async () => {
  await setup();
  if (env.skip) return;
  try {
    execFileSync(MDBOOK, ["--version"], { stdio: "ignore" });
  } catch {
    const reason = `no mdbook at ${MDBOOK} (scripts/mdbook-test.sh installs it)`;
    if (process.env.CORRAL_PAGE_TESTS === "require") throw new Error(`the mdBook test cannot run: ${reason}`);
    console.log(`SKIP: ${reason}`);
    env.skip = reason;
    return;
  }
  work = mkdtempSync(join(tmpdir(), "corral-mdbook-test-"));
  cpSync(FIXTURE, work, { recursive: true });
  for (const f of readdirSync(join(work, "src"))) {
    const p = join(work, "src", f);
    writeFileSync(p, readFileSync(p, "utf8").replaceAll("NONCE", NONCE));
  }
  const port = await freePort();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = normalize(join(work, "book", path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(join(work, "book")) || !existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css" };
    res.writeHead(200, { "Content-Type": types[extname(file)] || "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  site = { server, base: `http://127.0.0.1:${port}` };
});

after(async () => {
  await new Promise((ok) => (site ? site.server.close(ok) : ok()));
  await teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** corral's count of the requests it ran (runs and tools, not /meta), from /metrics. */
async function runsServed() {
  const text = await (await fetch(`${env.base}/metrics`)).text();
  return Number(/^corral_requests_total (\d+)$/m.exec(text)[1]);
}

/**
 * A fresh browser context where every request to play.rust-lang.org is blocked and
 * recorded (`blocked`), as is every request to corral (`toCorral`), and any script
 * error fails the test.
 */
async function openBook(t, url) {
  const context = await env.browser.newContext();
  t.after(() => context.close());
  const blocked = [];
  await context.route(/^https?:\/\/play\.rust-lang\.org(\/|$)/, (route) => {
    blocked.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  const toCorral = [];
  page.on("request", (r) => r.url().startsWith(env.base) && toCorral.push(`${r.method()} ${r.url().slice(env.base.length)}`));
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  t.after(() => assert.deepEqual(problems, [], "no script errors"));
  await page.goto(url);
  return { page, blocked, toCorral };
}

/**
 * Waits until mdBook has shown the Run buttons (it does once the crate list has come);
 * gives, for each runnable block, whether its Run button is shown.
 */
async function runButtons({ page, blocked }) {
  const shown = await page
    .waitForFunction(() => {
      const buttons = Array.from(document.querySelectorAll("pre.playground .play-button"));
      const shown = buttons.map((b) => !b.hidden && !b.classList.contains("hidden"));
      return shown.some(Boolean) && shown;
    })
    .catch((e) => assert.fail(`mdBook showed no Run button (blocked: ${blocked.join(", ") || "none"}): ${e.message}`));
  return shown.jsonValue();
}

/**
 * Clicks the Run button of the `n`th runnable block as a reader does (mdBook shows a
 * block's buttons while the pointer is over it) and gives the result's text.
 */
async function run(page, n) {
  const block = page.locator("pre.playground").nth(n);
  await block.hover();
  await block.locator(".play-button").click();
  // book.js writes "Running..." at once, then the answer or its error.
  const result = await block.locator("code.result").elementHandle();
  await page.waitForFunction((el) => el.innerText.trim() !== "Running...", result, { timeout: RUN_TIMEOUT });
  return (await result.innerText()).trim();
}

test("corral mdbook writes the theme override once, and mdbook builds it", (t) => {
  if (env.skip) return t.skip(env.skip);
  const first = corral("mdbook", work, "--playground", `${env.base}/`);
  assert.match(first, /^wrote theme\/head\.hbs: .*\/evaluate\.json/);
  const head = readFileSync(join(work, "theme/head.hbs"), "utf8");
  assert.match(head, new RegExp(`var to = "${env.base}/";`));
  // Idempotent: the same command changes nothing.
  assert.match(corral("mdbook", work, "--playground", env.base), /^theme\/head\.hbs was already up to date/);
  assert.equal(readFileSync(join(work, "theme/head.hbs"), "utf8"), head);
  execFileSync(MDBOOK, ["build", work], { stdio: ["ignore", "ignore", "pipe"] });
  const html = readFileSync(join(work, "book/examples.html"), "utf8");
  const override = html.indexOf("<!-- corral-playground begin");
  assert.ok(override >= 0 && override < html.indexOf('<script src="book'), "the override comes before book.js");
});

test("the built book's Run buttons run on corral, from another origin", { timeout: 3 * RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const before = await runsServed();
  const book = await openBook(t, `${site.base}/examples.html`);
  const { page, blocked, toCorral } = book;
  // mdBook shows a Run button only once the crate list has come (from corral here):
  // the block using a crate corral lacks keeps its button hidden.
  assert.deepEqual(await runButtons(book), [true, true, false], "no Run button for a crate corral lacks");

  assert.equal(await run(page, 0), `Hello from corral: ${NONCE}`);
  assert.match(await run(page, 1), new RegExp(`^rand \\d+ ${NONCE}$`));

  assert.deepEqual(blocked, [], "no request went to play.rust-lang.org");
  assert.deepEqual(toCorral.sort(), ["POST /evaluate.json", "POST /evaluate.json", "POST /meta/crates"]);
  assert.equal((await runsServed()) - before, 2, "corral counted both runs");
});

test("the book opened from file:// runs on corral too", { timeout: 2 * RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const book = await openBook(t, `file://${resolve(work, "book/examples.html")}`);
  const { page, blocked, toCorral } = book;
  assert.deepEqual(await runButtons(book), [true, true, false]);
  assert.equal(await run(page, 0), `Hello from corral: ${NONCE}`);
  assert.deepEqual(blocked, []);
  assert.ok(toCorral.includes("POST /evaluate.json"), toCorral.join(", "));
});

test("corral mdbook --remove gives the book back its own theme", (t) => {
  if (env.skip) return t.skip(env.skip);
  assert.match(corral("mdbook", work, "--remove"), /^removed corral's block from theme\/head\.hbs/);
  assert.equal(existsSync(join(work, "theme")), false);
  assert.match(corral("mdbook", work, "--remove"), /^nothing to remove/);
});
