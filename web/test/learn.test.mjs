// The tutorials' page in a real headless Chromium against a real `corral serve` (see
// ../test-support.mjs): a lesson's starting code runs and fails its check with the
// reason, the solution passes, and the progress and code survive a reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { env, open, RUN_TIMEOUT, setup, SHOTS, teardown } from "../test-support.mjs";

before(setup);
after(teardown);

const editorText = (page) => page.evaluate(() => window.corralEditor.state.doc.toString());

async function waitIdle(page) {
  await page.waitForFunction(() => !/^(Running|Checking)/.test(document.getElementById("status").textContent), null, {
    timeout: RUN_TIMEOUT,
  });
}

test("/learn lists the tutorials and links to the playground", { timeout: RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t, "/learn");
  const titles = await page.$$eval(".tutorial-card h2", (hs) => hs.map((h) => h.textContent));
  assert.deepEqual(titles, ["Rust basics", "Rocket"]);
  assert.match(await page.textContent(".tutorial-card:last-child .tutorial-meta"), /^10 lessons · 0 done/);
  // The playground links here.
  const main = await open(t, "/");
  assert.equal(await main.getAttribute("a.learn-link", "href"), "/learn");
});

test("a lesson: run, fail the check, show the solution, pass, reload", { timeout: 4 * RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  // A tutorial's address goes to its first lesson.
  const page = await open(t, "/learn/rocket");
  assert.equal(new URL(page.url()).pathname, "/learn/rocket/routes");
  assert.equal(await page.textContent("#lesson-text h1"), "Routes");
  assert.match(await page.textContent("#request"), /GET \/hello/);
  assert.match(await page.textContent("#menu-label"), /^Lesson 1 of 10: Routes/);
  assert.equal(await page.isVisible("#prev"), false);
  assert.equal(await page.textContent("#next"), "Dynamic paths →");
  const start = await editorText(page);
  assert.match(start, /Add a `hello` route here/);

  // Run the starting code: Rocket answers 404, shown as HTTP.
  await page.click("#run");
  await waitIdle(page);
  assert.match(await page.textContent("#status"), /^success/);
  assert.match(await page.textContent("#harness-out"), /^HTTP\/1\.1 404 Not Found/);

  // Check it: not passed, and why.
  await page.click("#check");
  await waitIdle(page);
  assert.equal(await page.getAttribute("#verdict", "class"), "verdict failed");
  assert.match(await page.textContent("#verdict"), /Not yet.*expected status 200, got 404/);

  // The solution passes; the lesson is marked done in the menu.
  await page.click("#solve");
  await page.waitForFunction(() => /fn hello\(\)/.test(window.corralEditor.state.doc.toString()));
  await page.click("#check");
  await waitIdle(page);
  assert.equal(await page.getAttribute("#verdict", "class"), "verdict passed");
  assert.match(await page.textContent("#verdict"), /Passed.*status 200; body "Hello, Rocket!"/);
  assert.match(await page.textContent("#verdict a.button"), /Next: Dynamic paths/);
  assert.equal(await page.textContent("#progress"), "1 of 10 done");
  assert.equal(await page.textContent("#menu-list li:first-child .mark"), "✔");
  await page.screenshot({ path: join(SHOTS, "lesson.png") });
  await page.click("#menu summary");
  assert.equal(await page.getAttribute("#menu-list a[aria-current=page]", "href"), "/learn/rocket/routes");
  await page.click("#menu summary");

  // An edit, then a reload: the code and the progress are still there.
  await page.click(".cm-content");
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText("\n// my note\n");
  const edited = await editorText(page);
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await editorText(page), edited);
  assert.equal(await page.textContent("#progress"), "1 of 10 done");
  assert.match(await page.textContent("#verdict"), /passed this lesson before/);

  // The tutorial's address now goes to the current lesson; Reset brings the start back.
  await page.goto(new URL("/learn/rocket", page.url()).href);
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(new URL(page.url()).pathname, "/learn/rocket/routes");
  await page.click("#reset");
  assert.equal(await editorText(page), start);

  // The index counts what is done.
  await page.goto(new URL("/learn", page.url()).href);
  await page.waitForSelector("body[data-ready=true]");
  assert.match(await page.textContent(".tutorial-card:last-child .tutorial-meta"), /1 done/);
});

test("a test lesson lists its tests; a compile error is marked", { timeout: 2 * RUN_TIMEOUT }, async (t) => {
  if (env.skip) return t.skip(env.skip);
  const page = await open(t, "/learn/rust-basics/testing");
  await page.click("#check");
  await waitIdle(page);
  assert.match(await page.textContent("#verdict"), /1 failed: tests::not_centuries/);
  assert.match(await page.textContent("#harness-out"), /2 passed, 1 failed/);
  const lesson = await open(t, "/learn/rust-basics/variables");
  await lesson.click("#run");
  await waitIdle(lesson);
  assert.match(await lesson.textContent("#status"), /^compile error/);
  await lesson.waitForSelector(".cm-lintRange-error");
  assert.match(await lesson.textContent("#compile-out"), /E0384/);
});

test("an unknown lesson says so", async (t) => {
  if (env.skip) return t.skip(env.skip);
  const res = await fetch(`${env.base}/learn/rocket/nope`);
  assert.equal(res.status, 404);
});
