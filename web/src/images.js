// Pictures in the output, as the Go playground shows them: a line of program output
// that begins with `IMAGE:` followed by base64 data is drawn as an image.
//
// Only an <img> ever shows the data, and its type is the one sniffed here from the
// decoded bytes (PNG, GIF, JPEG, or SVG), never one the program names. A browser draws
// an <img> in a static mode (an SVG in it runs no script and loads nothing), and on top
// of that an SVG that carries scripts, event handlers, foreign HTML or references to
// anything outside itself is refused. Whatever is refused stays plain text. Sizes are
// capped, and the page's Content-Security-Policy (`img-src 'self' data:`) is unchanged.

export const IMAGE_PREFIX = "IMAGE:";
/** The longest base64 payload drawn (3 MiB of image); longer lines stay text. */
export const MAX_IMAGE_BASE64 = 4 << 20;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodePrefix(b64, bytes) {
  const n = Math.min(b64.length, Math.ceil(bytes / 3) * 4);
  return atob(b64.slice(0, n - (n % 4)));
}

function decodeAll(b64) {
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

// What an SVG drawn as an image must not contain: scripts and handlers (inert in an
// <img>, refused anyway), embedded HTML, and references outside the file itself
// (`href`/`xlink:href` other than a `#fragment` or an image `data:` URL).
const SVG_DENIED = [
  [/<\s*script/i, "a script"],
  [/<\s*foreignObject/i, "embedded HTML (foreignObject)"],
  [/<\s*(iframe|object|embed|html|body)\b/i, "embedded HTML"],
  [/\son[a-z]+\s*=/i, "an event handler"],
  [/javascript\s*:/i, "a javascript: URL"],
  [/(?:^|[\s"'])(?:xlink:)?href\s*=\s*(?!["']?\s*(?:#|data:image\/(?:png|gif|jpeg);))/i, "a link outside the image"],
  [/url\(\s*(?!["']?\s*#)/i, "a reference outside the image"],
  [/<!ENTITY/i, "an XML entity"],
  [/@import/i, "a style import"],
];

/** Why an SVG text is refused, or null when it may be drawn. */
export function svgRefusal(text) {
  for (const [re, what] of SVG_DENIED) if (re.test(text)) return `the SVG contains ${what}`;
  return null;
}

function sniff(head) {
  const b = (i) => head.charCodeAt(i);
  if (head.startsWith("\x89PNG\r\n\x1a\n")) return "image/png";
  if (head.startsWith("GIF87a") || head.startsWith("GIF89a")) return "image/gif";
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return "image/jpeg";
  // SVG: text whose first element is <svg>, after an optional BOM, XML declaration,
  // comments and doctype.
  const text = head.replace(/^\xef\xbb\xbf/, "");
  const rest = text.replace(/^(\s|<\?xml[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*/i, "");
  if (/^<svg[\s>]/i.test(rest)) return "image/svg+xml";
  return null;
}

/**
 * An output line's image: `{mime, src}` when the line is `IMAGE:` and base64 data of a
 * PNG, GIF, JPEG or a static SVG; `{refused}` (why) when it begins with `IMAGE:` but is
 * not one; null when the line is not an image line at all.
 */
export function parseImageLine(line) {
  if (!line.startsWith(IMAGE_PREFIX)) return null;
  const b64 = line.slice(IMAGE_PREFIX.length).trim();
  if (!b64) return { refused: "no data after IMAGE:" };
  if (b64.length > MAX_IMAGE_BASE64) return { refused: `larger than ${MAX_IMAGE_BASE64 >> 20} MiB of base64` };
  if (!BASE64.test(b64) || b64.length % 4 === 1) return { refused: "not base64" };
  let mime;
  try {
    mime = sniff(decodePrefix(b64, 512));
  } catch {
    return { refused: "not base64" };
  }
  if (!mime) return { refused: "not a PNG, GIF, JPEG or SVG image" };
  if (mime === "image/svg+xml") {
    let text;
    try {
      text = decodeAll(b64);
    } catch {
      return { refused: "not base64" };
    }
    const why = svgRefusal(text);
    if (why) return { refused: why };
  }
  const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
  return { mime, src: `data:${mime};base64,${padded}` };
}

/**
 * Splits output text into runs of text and images, line by line. With `partial` (output
 * still arriving), a last line that may become an image line is held back until its
 * newline arrives, so half an image never flashes as text.
 */
export function splitImages(text, { partial = false } = {}) {
  const parts = [];
  let textStart = 0;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const end = nl < 0 ? text.length : nl + 1;
    const line = text.slice(pos, nl < 0 ? text.length : nl).replace(/\r$/, "");
    if (line.startsWith(IMAGE_PREFIX) || (nl < 0 && partial && IMAGE_PREFIX.startsWith(line) && line)) {
      if (nl < 0 && partial) {
        if (pos > textStart) parts.push({ text: text.slice(textStart, pos) });
        return parts;
      }
      const image = parseImageLine(line);
      if (image?.src) {
        if (pos > textStart) parts.push({ text: text.slice(textStart, pos) });
        parts.push({ image });
        textStart = end;
      }
    }
    pos = end;
  }
  if (textStart < text.length) parts.push({ text: text.slice(textStart) });
  return parts;
}

/** The <img> for a parsed image; if the browser cannot decode it, a line of text says so. */
export function imageElement(image) {
  const img = document.createElement("img");
  img.className = "corral-image";
  img.alt = "an image the program printed";
  img.addEventListener("error", () => {
    img.replaceWith(document.createTextNode("[an IMAGE: line that could not be decoded as an image]\n"));
  });
  img.src = image.src;
  return img;
}
