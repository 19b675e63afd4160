// The page's and the embed's pure logic, without a browser: rustdoc's hidden lines as the
// embed shows and sends them, and the timeline player with fake timers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mapLine, parseExample, programText } from "../src/hidden.js";
import { duration, formatNs, isTimed, play } from "../src/replay.js";

test("hidden lines follow rustdoc's rules, as the doctest harness does", () => {
  // The cases of crates/corral-rust/src/harness/doctest.rs's `hidden_lines_follow_rustdoc`.
  assert.deepEqual(mapLine("# let x = 1;"), { code: "let x = 1;", hidden: true });
  assert.deepEqual(mapLine("    #   x  "), { code: "  x", hidden: true });
  assert.deepEqual(mapLine("#"), { code: "", hidden: true });
  assert.deepEqual(mapLine("  #  "), { code: "", hidden: true });
  assert.deepEqual(mapLine("## x"), { code: "# x", hidden: false });
  assert.deepEqual(mapLine("##[derive(Debug)]"), { code: "#[derive(Debug)]", hidden: false });
  for (const line of ["#[derive(Debug)]", "#![allow(unused)]", "let s = \"# not\";", "#x", ""]) {
    assert.deepEqual(mapLine(line), { code: line, hidden: false }, line);
  }
});

test("an example's shown lines and program text", () => {
  const ex = parseExample("# fn helper() {}\n##[derive(Debug)]\nstruct S;\n#\nhelper();\n");
  assert.deepEqual(
    ex.lines.map((l) => [l.code, l.hidden]),
    [
      ["fn helper() {}", true],
      ["#[derive(Debug)]", false],
      ["struct S;", false],
      ["", true],
      ["helper();", false],
    ],
  );
  assert.equal(ex.hasHidden, true);
  assert.equal(ex.changed, true);
  assert.equal(programText(ex.lines), "fn helper() {}\n#[derive(Debug)]\nstruct S;\n\nhelper();\n");
  const plain = parseExample('fn main() {\n    println!("#");\n}\n');
  assert.equal(plain.hasHidden, false);
  assert.equal(plain.changed, false, "left as the page drew it");
  assert.equal(parseExample("## only an escape").changed, true);
});

// Timers that run only when told: `advance(ms)`.
function fakeTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map();
  return {
    setTimeout(fn, ms) {
      pending.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout(id) {
      pending.delete(id);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...pending].filter(([, p]) => p.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
    get pending() {
      return pending.size;
    },
  };
}

const MS = 1e6;
const EVENTS = [
  { message: "a", stream: "stdout", delay_ns: 0 },
  { message: "b", stream: "stderr", delay_ns: 0 },
  { message: "c", stream: "stdout", delay_ns: 100 * MS },
  { message: "d", stream: "stdout", delay_ns: 250 * MS },
  { message: "e", stream: "stdout", delay_ns: 0 },
];

function recorder() {
  const log = [];
  return {
    log,
    write: (e) => log.push(e.message),
    flush: (elapsed) => log.push(`|${elapsed / MS}`),
    done: (finished) => log.push(finished ? "done" : "stopped"),
  };
}

test("the timeline plays each batch after its delay", () => {
  const timers = fakeTimers();
  const r = recorder();
  const h = play(EVENTS, r, timers);
  assert.deepEqual(r.log, ["a", "b", "|0"], "what is due at once is written before play returns");
  assert.equal(h.playing, true);
  timers.advance(99);
  assert.deepEqual(r.log, ["a", "b", "|0"]);
  timers.advance(1);
  assert.deepEqual(r.log, ["a", "b", "|0", "c", "|100"]);
  timers.advance(250);
  assert.deepEqual(r.log, ["a", "b", "|0", "c", "|100", "d", "e", "|350", "done"]);
  assert.equal(h.playing, false);
  assert.equal(h.elapsed, 350 * MS);
});

test("skip shows the rest at once; stop keeps what was shown", () => {
  let timers = fakeTimers();
  let r = recorder();
  let h = play(EVENTS, r, timers);
  h.skip();
  assert.deepEqual(r.log, ["a", "b", "|0", "c", "d", "e", "|350", "done"]);
  assert.equal(timers.pending, 0);
  h.skip();
  h.stop();
  assert.equal(r.log.length, 8, "a finished replay ignores skip and stop");

  timers = fakeTimers();
  r = recorder();
  h = play(EVENTS, r, timers);
  timers.advance(100);
  h.stop();
  timers.advance(1000);
  assert.deepEqual(r.log, ["a", "b", "|0", "c", "|100", "stopped"]);
  assert.equal(timers.pending, 0);
});

test("untimed events play at once; timelines are measured", () => {
  const r = recorder();
  const h = play([{ message: "x", stream: "stdout", delay_ns: 0 }], r, fakeTimers());
  assert.deepEqual(r.log, ["x", "|0", "done"]);
  assert.equal(h.playing, false);
  const empty = recorder();
  play([], empty, fakeTimers());
  assert.deepEqual(empty.log, ["done"]);
  assert.equal(isTimed(EVENTS), true);
  assert.equal(isTimed([{ message: "x", delay_ns: 0 }]), false);
  assert.equal(isTimed(undefined), false);
  assert.equal(duration(EVENTS), 350 * MS);
  assert.deepEqual([formatNs(0), formatNs(850 * MS), formatNs(1250 * MS), formatNs(125e9)], ["0 ms", "850 ms", "1.25 s", "2 min 5 s"]);
});

test("a delay past setTimeout's range waits its longest, not zero", () => {
  const timers = fakeTimers();
  const asked = [];
  const spy = { ...timers, setTimeout: (fn, ms) => (asked.push(ms), timers.setTimeout(fn, ms)), clearTimeout: timers.clearTimeout };
  play([{ message: "late", stream: "stdout", delay_ns: 30 * 24 * 3600 * 1e9 }], recorder(), spy);
  assert.deepEqual(asked, [2 ** 31 - 1]);
});

test("a shared list of files opens as its crate root", async () => {
  const { shareText } = await import("../src/share.js");
  assert.equal(shareText("fn main() {}"), "fn main() {}");
  assert.equal(
    shareText([
      { name: "src/a.rs", content: "pub fn a() {}" },
      { name: "src/main.rs", content: "mod a; fn main() {}" },
    ]),
    "mod a; fn main() {}",
  );
  assert.equal(shareText([{ name: "lib.rs", content: "pub fn f() {}" }]), "pub fn f() {}");
  assert.equal(shareText([{ name: "x.rs", content: "// x" }]), "// x");
  assert.equal(shareText([]), "");
  assert.equal(shareText(null), "");
});
