// rustdoc's code-block attributes (the words of an info string such as
// ```rust,compile_fail,E0382, which Markdown renderers write into the class:
// "language-rust,compile_fail,E0382") as the embed interprets them, and what a run's
// result means under them. Pure functions, tested without a browser.
//
// - `ignore`: the block is left alone;
// - `should_panic`: the run succeeds when the program panics (exit code 101);
// - `compile_fail` (with error codes as more words, e.g. `E0382`): compiled only, and it
//   must fail to compile (with each listed code among the diagnostics);
// - `no_run`: compiled only;
// - `editionNNNN`: the edition; `harness=ID`: corral's harness.
// rustdoc's precedence: compile_fail, then no_run (not run, so no panic to expect).

/** The words of an info string (split at commas and white space). */
export function infoWords(text) {
  return String(text || "")
    .split(/[\s,]+/)
    .filter(Boolean);
}

/**
 * What a block's words ask for: `ignore`, `harness` and `edition` (undefined when not
 * given), and `expect`: "run" (the default), "panic", "compile_fail" or "no_run", with
 * `errorCodes` (compile_fail's expected codes, in order, without repeats).
 */
export function parseAttributes(words) {
  const has = (w) => words.includes(w);
  const edition = words.map((w) => /^edition(\d{4})$/.exec(w)?.[1]).find(Boolean);
  const harness = words.find((w) => w.startsWith("harness="))?.slice("harness=".length) || undefined;
  const expect = has("compile_fail") ? "compile_fail" : has("no_run") ? "no_run" : has("should_panic") ? "panic" : "run";
  const errorCodes = expect === "compile_fail" ? [...new Set(words.filter((w) => /^E\d{4}$/.test(w)))] : [];
  return { ignore: has("ignore"), harness, edition, expect, errorCodes };
}

/** Whether the program is only compiled, not run (compile_fail and no_run). */
export function compileOnly(expect) {
  return expect === "compile_fail" || expect === "no_run";
}

/** The run button's label and title for an expectation (under a harness). */
export function runLabel(expect, harness) {
  if (expect === "compile_fail") return { text: "▶ Build", title: `Compile this example, which should fail to compile (harness: ${harness})` };
  if (expect === "no_run") return { text: "▶ Build", title: `Compile this example without running it (no_run; harness: ${harness})` };
  if (expect === "panic") return { text: "▶ Run", title: `Run this example, which should panic (harness: ${harness})` };
  return { text: "▶ Run", title: `Run this example (harness: ${harness})` };
}

/** A result's plain summary: "success · exit 0", "runtime error · 1 passed, 1 failed", … */
export function summary(r) {
  const parts = [String(r.status || "done").replace(/_/g, " ")];
  const h = r.run?.harness;
  if (h && typeof h.passed === "number") parts.push(`${h.passed} passed, ${h.failed ?? 0} failed`);
  else if (r.run?.exit_code != null) parts.push(`exit ${r.run.exit_code}`);
  if (r.limit) parts.push(`limit: ${r.limit}`);
  return parts.join(" · ");
}

/**
 * The codes of a result's errors (compile.diagnostics[].code of level "error"), once
 * each, in order: what rustdoc looks for as `error[E0382]` in the compiler's output.
 */
export function diagnosticCodes(r) {
  const list = Array.isArray(r.compile?.diagnostics) ? r.compile.diagnostics : [];
  const errors = list.filter((d) => d && (d.level == null || d.level === "error"));
  return [...new Set(errors.map((d) => d.code).filter((c) => typeof c === "string" && c))];
}

const list = (codes) => codes.join(", ");

/**
 * What a result means under the block's attributes: `text` (the status line), `ok`
 * (whether the example behaved as its attributes say), `showRun` (whether the program's
 * output belongs on the page: not when it was only compiled) and `showCompile` (whether
 * the compiler's output does: when compilation failed, or when compiling was the point).
 */
export function interpret(r, { expect = "run", errorCodes = [] } = {}) {
  const compiled = r.compile?.success === true;
  const failedToCompile = r.status === "compile_error";
  if (expect === "compile_fail") {
    const base = { showRun: false, showCompile: true };
    if (failedToCompile) {
      const codes = diagnosticCodes(r);
      const missing = errorCodes.filter((c) => !codes.includes(c));
      if (!errorCodes.length) return { ...base, ok: true, text: "failed to compile, as expected" };
      if (!missing.length) return { ...base, ok: true, text: `failed to compile, as expected (${list(errorCodes)})` };
      const got = codes.length ? `got ${list(codes)}` : "no error code in the diagnostics";
      return { ...base, ok: false, text: `failed to compile, but without the expected ${list(missing)} (${got})` };
    }
    if (compiled) return { ...base, ok: false, text: "expected a compile error, but it compiled" };
    return { ...base, ok: false, text: summary(r) };
  }
  if (expect === "no_run") {
    const base = { showRun: false, showCompile: true };
    if (compiled) return { ...base, ok: true, text: "compiled (not run: no_run)" };
    return { ...base, ok: false, text: summary(r) };
  }
  const showCompile = r.compile?.success === false;
  if (expect === "panic") {
    const base = { showRun: true, showCompile };
    if (r.status === "runtime_error" && r.run?.exit_code === 101) return { ...base, ok: true, text: "panicked, as expected · exit 101" };
    if (r.status === "success") return { ...base, ok: false, text: `expected a panic, but it finished normally · ${summary(r)}` };
    if (r.status === "runtime_error") return { ...base, ok: false, text: `expected a panic, but it failed otherwise · ${summary(r)}` };
    return { ...base, ok: false, text: summary(r) };
  }
  return { showRun: true, showCompile, ok: r.status === "success", text: summary(r) };
}
