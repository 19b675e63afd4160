// Renders terminal text (SGR colour codes) into DOM nodes. Text only ever goes through
// textContent: program output is never parsed as HTML. Program output may also carry
// pictures (`IMAGE:` lines, see images.js), drawn only as <img>.
import { imageElement, splitImages } from "./images.js";

const BASIC = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

function palette256(n) {
  if (n < 16) return null;
  if (n < 232) {
    const v = [0, 95, 135, 175, 215, 255];
    n -= 16;
    return `rgb(${v[Math.floor(n / 36)]},${v[Math.floor(n / 6) % 6]},${v[n % 6]})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

function applySgr(state, params) {
  const p = params.length ? params : [0];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === 0) Object.assign(state, { fg: null, bg: null, bold: false, italic: false, underline: false, dim: false });
    else if (c === 1) state.bold = true;
    else if (c === 2) state.dim = true;
    else if (c === 3) state.italic = true;
    else if (c === 4) state.underline = true;
    else if (c === 22) state.bold = state.dim = false;
    else if (c === 23) state.italic = false;
    else if (c === 24) state.underline = false;
    else if (c >= 30 && c <= 37) state.fg = { cls: BASIC[c - 30] };
    else if (c >= 90 && c <= 97) state.fg = { cls: "bright-" + BASIC[c - 90] };
    else if (c === 39) state.fg = null;
    else if (c >= 40 && c <= 47) state.bg = { cls: BASIC[c - 40] };
    else if (c >= 100 && c <= 107) state.bg = { cls: "bright-" + BASIC[c - 100] };
    else if (c === 49) state.bg = null;
    else if (c === 38 || c === 48) {
      let colour = null;
      if (p[i + 1] === 5) {
        const n = p[i + 2] ?? 0;
        colour = n < 8 ? { cls: BASIC[n] } : n < 16 ? { cls: "bright-" + BASIC[n - 8] } : { rgb: palette256(n) };
        i += 2;
      } else if (p[i + 1] === 2) {
        const [r, g, b] = [p[i + 2] ?? 0, p[i + 3] ?? 0, p[i + 4] ?? 0].map((x) => Math.min(255, x));
        colour = { rgb: `rgb(${r},${g},${b})` };
        i += 4;
      }
      if (c === 38) state.fg = colour;
      else state.bg = colour;
    }
  }
}

function styled(text, s) {
  if (!s.fg && !s.bg && !s.bold && !s.italic && !s.underline && !s.dim) return document.createTextNode(text);
  const span = document.createElement("span");
  span.textContent = text;
  if (s.bold) span.classList.add("ansi-bold");
  if (s.dim) span.classList.add("ansi-dim");
  if (s.italic) span.classList.add("ansi-italic");
  if (s.underline) span.classList.add("ansi-underline");
  if (s.fg?.cls) span.classList.add("ansi-fg-" + s.fg.cls);
  if (s.fg?.rgb) span.style.color = s.fg.rgb;
  if (s.bg?.cls) span.classList.add("ansi-bg-" + s.bg.cls);
  if (s.bg?.rgb) span.style.backgroundColor = s.bg.rgb;
  return span;
}

// A form feed clears the pane: only what follows the last one is shown. With `images`
// (program output), `IMAGE:` lines are drawn; with `partial` (output still arriving), an
// unfinished last line that may become one waits for its newline.
export function renderAnsi(target, text, { images = false, partial = false } = {}) {
  const ff = text.lastIndexOf("\f");
  if (ff >= 0) text = text.slice(ff + 1);
  target.replaceChildren();
  const frag = document.createDocumentFragment();
  const state = { fg: null, bg: null, bold: false, italic: false, underline: false, dim: false };
  const parts = images ? splitImages(text, { partial }) : [{ text }];
  for (const part of parts) {
    if (part.image) frag.append(imageElement(part.image));
    else appendAnsi(frag, part.text, state);
  }
  target.append(frag);
}

// CSI sequences (ESC [ params final), OSC sequences (ESC ] ... BEL/ST), other escapes.
function appendAnsi(frag, text, state) {
  const re = /\x1b\[([0-9;:]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
  let last = 0;
  for (let m; (m = re.exec(text)); ) {
    if (m.index > last) frag.append(styled(text.slice(last, m.index), state));
    last = re.lastIndex;
    if (m[2] === "m") applySgr(state, m[1] === "" ? [] : m[1].split(/[;:]/).map((x) => parseInt(x || "0", 10)));
  }
  if (last < text.length) frag.append(styled(text.slice(last), state));
}
