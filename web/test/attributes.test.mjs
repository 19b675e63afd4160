// rustdoc's code-block attributes as the embed reads them, and what a result means under
// them: pure logic, no browser. The results are shaped as corral's /api/v1/run answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileOnly, diagnosticCodes, infoWords, interpret, parseAttributes, runLabel, summary } from "../src/attributes.js";

const parse = (cls) => parseAttributes(infoWords(cls));

test("info-string words, as Markdown renderers and mdBook write them into the class", () => {
  assert.deepEqual(infoWords("language-rust,compile_fail,E0382"), ["language-rust", "compile_fail", "E0382"]);
  assert.deepEqual(infoWords("language-rust should_panic hljs"), ["language-rust", "should_panic", "hljs"]);
  assert.deepEqual(infoWords(" language-rust , no_run\n"), ["language-rust", "no_run"]);
  assert.deepEqual(infoWords(null), []);
  assert.deepEqual(infoWords(""), []);
});

test("attributes: what each word asks for", () => {
  assert.deepEqual(parse("language-rust"), { ignore: false, harness: undefined, edition: undefined, expect: "run", errorCodes: [] });
  assert.equal(parse("language-rust,should_panic").expect, "panic");
  assert.equal(parse("language-rust,no_run").expect, "no_run");
  assert.deepEqual(parse("language-rust,compile_fail,E0382"), {
    ignore: false,
    harness: undefined,
    edition: undefined,
    expect: "compile_fail",
    errorCodes: ["E0382"],
  });
  assert.deepEqual(parse("language-rust,compile_fail,E0382,E0499,E0382").errorCodes, ["E0382", "E0499"]);
  // Error codes count with compile_fail only, and only in rustdoc's form.
  assert.deepEqual(parse("language-rust,E0382").errorCodes, []);
  assert.deepEqual(parse("language-rust,compile_fail,e0382,E038,E03821").errorCodes, []);
  assert.equal(parse("language-rust ignore").ignore, true);
  assert.equal(parse("language-rust,ignore-windows").ignore, false, "only the word itself");
  assert.equal(parse("language-rust,should_panicky").expect, "run");
  for (const e of ["2015", "2018", "2021", "2024"]) assert.equal(parse(`language-rust,edition${e}`).edition, e);
  assert.equal(parse("language-rust,edition21").edition, undefined);
  assert.equal(parse("language-rust,harness=test,edition2021").harness, "test");
  assert.equal(parse("language-rust,harness=").harness, undefined);
});

test("attributes: rustdoc's precedence (compile_fail, then no_run, then should_panic)", () => {
  assert.equal(parse("language-rust,should_panic,compile_fail").expect, "compile_fail");
  assert.equal(parse("language-rust,no_run,compile_fail,E0308").expect, "compile_fail");
  assert.equal(parse("language-rust,should_panic,no_run").expect, "no_run");
  assert.equal(compileOnly("compile_fail"), true);
  assert.equal(compileOnly("no_run"), true);
  assert.equal(compileOnly("panic"), false);
  assert.equal(compileOnly("run"), false);
});

test("the button says Build when the example is only compiled", () => {
  assert.equal(runLabel("run", "doctest").text, "▶ Run");
  assert.equal(runLabel("panic", "doctest").text, "▶ Run");
  assert.equal(runLabel("no_run", "doctest").text, "▶ Build");
  assert.equal(runLabel("compile_fail", "doctest").text, "▶ Build");
  assert.match(runLabel("no_run", "test").title, /without running it.*harness: test/);
  assert.match(runLabel("run", "expr").title, /^Run this example \(harness: expr\)$/);
});

// Results as the server answers them.
const ran = (status, exit_code, extra = {}) => ({
  status,
  compile: { success: true, stderr: "", diagnostics: [] },
  run: { exit_code, stdout: "", stderr: "", harness: {} },
  ...extra,
});
const compileError = (...codes) => ({
  status: "compile_error",
  compile: {
    success: false,
    stderr: "error[…]",
    diagnostics: codes.map((code) => ({ code, level: "error", message: "…" })),
  },
  run: null,
});
// Compile only (`compile_only: true`): the compile step decides, the program never runs.
const compiledOnly = { status: "success", step: "compile", compile: { success: true, stderr: "warning: …", diagnostics: [{ code: "dead_code", level: "warning" }] }, run: null };

test("summary: status, then the harness's counts or the exit code, then the limit", () => {
  assert.equal(summary(ran("success", 0)), "success · exit 0");
  assert.equal(summary({ status: "runtime_error", run: { exit_code: 101, harness: { passed: 1, failed: 1 } } }), "runtime error · 1 passed, 1 failed");
  assert.equal(summary(compileError("E0382")), "compile error");
  assert.equal(summary(compiledOnly), "success");
  assert.equal(summary({}), "done");
});

test("diagnostic codes: the errors' `code` fields, once each, in order", () => {
  assert.deepEqual(diagnosticCodes(compileError("E0382", null, "E0499", "E0382")), ["E0382", "E0499"]);
  const withWarning = compileError("E0382");
  withWarning.compile.diagnostics.unshift({ code: "unused_variables", level: "warning" });
  assert.deepEqual(diagnosticCodes(withWarning), ["E0382"], "errors only, as rustdoc's `error[…]`");
  assert.deepEqual(diagnosticCodes({ status: "internal_error" }), []);
  assert.deepEqual(diagnosticCodes({ compile: { diagnostics: "not a list" } }), []);
});

test("a plain example: success is success, and the program's output is shown", () => {
  assert.deepEqual(interpret(ran("success", 0)), { showRun: true, showCompile: false, ok: true, text: "success · exit 0" });
  assert.deepEqual(interpret(ran("runtime_error", 101)), { showRun: true, showCompile: false, ok: false, text: "runtime error · exit 101" });
  assert.equal(interpret(compileError("E0382")).showCompile, true);
  assert.equal(interpret(compileError("E0382")).ok, false);
});

test("should_panic: a panic (exit 101) is the success", () => {
  const expect = { expect: "panic", errorCodes: [] };
  assert.deepEqual(interpret(ran("runtime_error", 101), expect), { showRun: true, showCompile: false, ok: true, text: "panicked, as expected · exit 101" });
  assert.deepEqual(interpret(ran("success", 0), expect), {
    showRun: true,
    showCompile: false,
    ok: false,
    text: "expected a panic, but it finished normally · success · exit 0",
  });
  const exited = interpret(ran("runtime_error", 1), expect);
  assert.equal(exited.ok, false);
  assert.equal(exited.text, "expected a panic, but it failed otherwise · runtime error · exit 1");
  const compile = interpret(compileError("E0425"), expect);
  assert.deepEqual([compile.ok, compile.text, compile.showCompile], [false, "compile error", true]);
  const timeout = interpret({ status: "timeout", limit: "wall", compile: { success: true }, run: { exit_code: null } }, expect);
  assert.deepEqual([timeout.ok, timeout.text], [false, "timeout · limit: wall"]);
});

test("compile_fail: failing to compile is the success, with the expected codes among the diagnostics", () => {
  const any = { expect: "compile_fail", errorCodes: [] };
  assert.deepEqual(interpret(compileError("E0382"), any), { showRun: false, showCompile: true, ok: true, text: "failed to compile, as expected" });
  assert.deepEqual(interpret(compileError(null), any), { showRun: false, showCompile: true, ok: true, text: "failed to compile, as expected" });
  const e0382 = { expect: "compile_fail", errorCodes: ["E0382"] };
  assert.deepEqual(interpret(compileError("E0382", null), e0382), {
    showRun: false,
    showCompile: true,
    ok: true,
    text: "failed to compile, as expected (E0382)",
  });
  assert.deepEqual(interpret(compileError("E0499", "E0502"), e0382), {
    showRun: false,
    showCompile: true,
    ok: false,
    text: "failed to compile, but without the expected E0382 (got E0499, E0502)",
  });
  assert.equal(interpret(compileError(null), e0382).text, "failed to compile, but without the expected E0382 (no error code in the diagnostics)");
  const two = { expect: "compile_fail", errorCodes: ["E0382", "E0499"] };
  assert.equal(interpret(compileError("E0499", "E0382"), two).text, "failed to compile, as expected (E0382, E0499)");
  assert.equal(interpret(compileError("E0499"), two).text, "failed to compile, but without the expected E0382 (got E0499)");
  // It compiled: whatever happened to the (unrun) program, that is the failure.
  assert.deepEqual(interpret(compiledOnly, e0382), { showRun: false, showCompile: true, ok: false, text: "expected a compile error, but it compiled" });
  assert.equal(interpret(ran("success", 0), any).text, "expected a compile error, but it compiled");
  // The compiler itself did not finish: say what happened.
  const killed = interpret({ status: "timeout", limit: "wall", compile: { success: false, stderr: "" }, run: null }, any);
  assert.deepEqual([killed.ok, killed.text], [false, "timeout · limit: wall"]);
});

test("no_run: compiling is the success; the program's (absent) output is not shown", () => {
  const noRun = { expect: "no_run", errorCodes: [] };
  assert.deepEqual(interpret(compiledOnly, noRun), { showRun: false, showCompile: true, ok: true, text: "compiled (not run: no_run)" });
  assert.deepEqual(interpret(compileError("E0425"), noRun), { showRun: false, showCompile: true, ok: false, text: "compile error" });
  assert.deepEqual(interpret({ status: "internal_error" }, noRun), { showRun: false, showCompile: true, ok: false, text: "internal error" });
});
