// rustc reports UTF-8 byte offsets; CodeMirror counts UTF-16 code units.

function utf8Len(cp) {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

// The UTF-16 index in `text` of UTF-8 byte offset `byte` (clamped to the text; an
// offset inside a character maps to that character's start).
export function byteToUtf16(text, byte) {
  let b = 0;
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i);
    const n = utf8Len(cp);
    if (b + n > byte) break;
    b += n;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

// The UTF-16 index of 1-based `line` and 1-based `column` counted in characters
// (rustc's columns), clamped to the line.
export function lineColumnToUtf16(text, line, column) {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return text.length;
    start = nl + 1;
  }
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  let i = start;
  for (let c = 1; c < column && i < end; c++) i += text.codePointAt(i) > 0xffff ? 2 : 1;
  return i;
}

/**
 * rustc's diagnostics (a result's `compile.diagnostics`) as the editor's, for `code`:
 * those `shown(d)` accepts (the file in the editor), each at its span converted to UTF-16
 * and clamped to the text.
 */
export function editorDiagnostics(code, diags, shown) {
  const out = [];
  for (const d of diags || []) {
    if (d.in_harness || !shown(d)) continue;
    let from;
    let to;
    if (d.byte_start != null) {
      from = byteToUtf16(code, d.byte_start);
      to = byteToUtf16(code, d.byte_end ?? d.byte_start);
    } else if (d.line_start != null) {
      from = lineColumnToUtf16(code, d.line_start, d.column_start ?? 1);
      to = lineColumnToUtf16(code, d.line_end ?? d.line_start, d.column_end ?? d.column_start ?? 1);
    } else continue;
    from = Math.min(from, code.length);
    to = Math.min(Math.max(to, from), code.length);
    const severity = d.level === "error" ? "error" : d.level === "warning" ? "warning" : "info";
    out.push({ from, to, severity, source: d.code || "rustc", message: d.message });
  }
  return out;
}
