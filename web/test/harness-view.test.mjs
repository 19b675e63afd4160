// How the page shows what a harness read from a run (harness-view.js), without a browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { responseText, testItems, testSummary } from "../src/harness-view.js";

test("a rocket-request response reads as HTTP, JSON pretty-printed", () => {
  assert.equal(
    responseText({ status: 200, headers: { "content-type": "application/json", "x-a": "1" }, body: '{"a":[1,2]}' }),
    'HTTP/1.1 200 OK\ncontent-type: application/json\nx-a: 1\n\n{\n  "a": [\n    1,\n    2\n  ]\n}\n',
  );
  assert.equal(responseText({ status: 404, headers: { "content-type": "text/html" }, body: "<p>no</p>" }), "HTTP/1.1 404 Not Found\ncontent-type: text/html\n\n<p>no</p>");
  assert.equal(responseText({ status: 299, headers: {}, body: "" }), "HTTP/1.1 299\n\n");
  assert.equal(responseText({ status: 200, headers: { "content-type": "application/json" }, body: "{broken" }), "HTTP/1.1 200 OK\ncontent-type: application/json\n\n{broken");
  assert.equal(responseText({ error: "the program exited with code 1 before a response" }), "No response: the program exited with code 1 before a response\n");
});

test("tests are listed failures first, with notes and output", () => {
  const h = {
    passed: 1, failed: 1, ignored: 1,
    tests: [
      { name: "a", outcome: "passed", output: "hi\n" },
      { name: "b", outcome: "failed", output: "boom\n" },
      { name: "c", outcome: "ignored", reason: "slow" },
    ],
  };
  assert.deepEqual(
    testItems(h).map((t) => [t.mark, t.name, t.note, t.output]),
    [["✘", "b", "", "boom\n"], ["✔", "a", "", "hi\n"], ["○", "c", "ignored: slow", ""]],
  );
  assert.equal(testSummary(h), "1 passed, 1 failed, 1 ignored");
  assert.equal(testSummary({ passed: 0, failed: 0, ignored: 0, note: "no summary" }), "0 passed, 0 failed (no summary)");
  assert.deepEqual(testItems({}), []);
});

test("several responses keep their request lines", async () => {
  const { harnessView } = await import("../src/harness-view.js");
  // harnessView builds DOM nodes; without a DOM, only its choice of title is checked here
  // through a minimal stand-in document.
  globalThis.document = {
    createElement: (tag) => ({ tag, children: [], className: "", textContent: "", append(...c) { this.children.push(...c); } }),
  };
  try {
    const view = harnessView("rocket-request", {
      status: 200, headers: {}, body: "a",
      responses: [{ request: "GET /", status: 200, headers: {}, body: "a" }, { request: "POST /b", status: 303, headers: { location: "/" }, body: "" }],
    });
    assert.equal(view.title, "Responses");
    const texts = view.node.children.map((c) => c.textContent);
    assert.deepEqual(texts, ["1. GET /", "HTTP/1.1 200 OK\n\na", "2. POST /b", "HTTP/1.1 303 See Other\nlocation: /\n\n"]);
    assert.equal(harnessView("rocket-request", { status: 204, headers: {}, body: "" }).title, "Response");
    assert.equal(harnessView("bin", {}).node, null);
  } finally {
    delete globalThis.document;
  }
});
