// rustdoc's hidden lines, shown the way mdBook shows them. The rules are the server's
// (crates/corral-rust/src/harness/doctest.rs, `map_line`): a line whose trimmed text
// starts with `# `, or is exactly `#`, is hidden but compiled (the text after `# `); one
// whose trimmed text starts with `##` is shown and compiled with its first `##` as `#`.

/** One line of an example: what is compiled (and shown when hidden lines are shown). */
export function mapLine(line) {
  const trimmed = line.trim();
  if (trimmed.startsWith("##")) return { code: line.replace("##", "#"), hidden: false };
  if (trimmed.startsWith("# ")) return { code: trimmed.slice(2), hidden: true };
  if (trimmed === "#") return { code: "", hidden: true };
  return { code: line, hidden: false };
}

/**
 * An example's lines (a code block's text, whose one trailing newline is the block's
 * end, not a line): `lines` with `code` and `hidden`, `hasHidden`, and `changed` when
 * what is shown differs from the text (then the block must be redrawn).
 */
export function parseExample(text) {
  const src = text.endsWith("\n") ? text.slice(0, -1) : text;
  const raw = src.split("\n");
  const lines = raw.map(mapLine);
  return {
    lines,
    hasHidden: lines.some((l) => l.hidden),
    changed: lines.some((l, i) => l.hidden || l.code !== raw[i]),
  };
}

/** The program the example stands for: every line, hidden ones included, unmarked. */
export function programText(lines) {
  return lines.map((l) => l.code).join("\n") + "\n";
}
