// What the browser tests in test/ share: a real `corral serve` on a loopback port with a
// temporary data dir, and Debian's headless Chromium driven by playwright-core. (Kept
// outside test/, where `node --test` would count it as a test file.)
//
// A test file calls `before(setup)` and `after(teardown)`, and starts each test with
// `if (env.skip) return t.skip(env.skip)`. Missing Chromium or binary: `SKIP: <reason>`
// and pass, unless CORRAL_PAGE_TESTS=require (CI as root), where they fail; a server
// that cannot become ready here (no sandbox) skips, as the Rust server tests do.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "..");
const CORRAL = process.env.CORRAL_BIN || join(root, "target/debug/corral");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const SHOTS = join(root, "web/screenshots");
const REQUIRE = process.env.CORRAL_PAGE_TESTS === "require";
export const RUN_TIMEOUT = 120_000;

/** The shared state: `base` (corral's URL), `browser`, and `skip` (why not, if so). */
export const env = { base: null, browser: null, skip: null, server: null, dataDir: null };

function skipOrFail(reason, always = false) {
  if (REQUIRE && !always) throw new Error(`the page tests cannot run: ${reason}`);
  console.log(`SKIP: ${reason}`);
  env.skip = reason;
}

export function freePort() {
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
  env.dataDir = mkdtempSync(join(tmpdir(), "corral-page-test-"));
  const server = spawn(CORRAL, ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", env.dataDir], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  env.server = server;
  let stderr = "";
  server.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  env.base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let last = "";
  while (Date.now() < deadline) {
    if (server.exitCode !== null) return `corral serve exited: ${stderr}`;
    try {
      const r = await fetch(`${env.base}/healthz`);
      if (r.status === 200) return null;
      last = await r.text();
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return `corral serve did not become ready: ${last}`;
}

export async function setup() {
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(CORRAL)) return skipOrFail(`no corral binary at ${CORRAL}`);
  if (!existsSync(CHROMIUM)) return skipOrFail(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  let chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch (e) {
    return skipOrFail(`playwright-core is not installed (cd web && npm ci): ${e.message}`);
  }
  try {
    env.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  } catch (e) {
    return skipOrFail(`Chromium does not start: ${e.message.split("\n")[0]}`);
  }
  const why = await startServer();
  if (why) return skipOrFail(why, true);
}

export async function teardown() {
  await env.browser?.close();
  const server = env.server;
  if (server && server.exitCode === null) {
    server.kill();
    await new Promise((r) => server.once("exit", r));
  }
  if (env.dataDir) rmSync(env.dataDir, { recursive: true, force: true });
}

/**
 * A fresh page (own storage) at `url` (a path on corral, or a full URL) that fails the
 * test on any script error or CSP report, except console errors matching `allow`.
 * Waits for `body[data-ready=true]` unless `ready` is false.
 */
export async function open(t, url = "/", { ready = true, allow = [], ...options } = {}) {
  const context = await env.browser.newContext({ colorScheme: "light", ...options });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = [];
  page.allowedErrors = []; // the console errors `allow` let through
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    const text = m.text();
    if (m.type() !== "error" || /Failed to load resource/.test(text)) return;
    if (allow.some((re) => re.test(text))) page.allowedErrors.push(text);
    else problems.push(text);
  });
  t.after(() => assert.deepEqual(problems, [], "no script errors or CSP violations"));
  await page.goto(/^https?:/.test(url) ? url : env.base + url);
  if (ready) await page.waitForSelector("body[data-ready=true]");
  return page;
}
