// Pictures in the output (images.js), without a browser: which `IMAGE:` lines become
// images, which stay text, and how output is split around them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_IMAGE_BASE64, parseImageLine, splitImages, svgRefusal } from "../src/images.js";

// A 2×2 red PNG.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==";
const b64 = (s) => Buffer.from(s).toString("base64");
const SVG = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>';

test("PNG, GIF, JPEG and static SVG data become images of the sniffed type", () => {
  assert.deepEqual(parseImageLine("IMAGE:" + PNG), { mime: "image/png", src: "data:image/png;base64," + PNG });
  assert.equal(parseImageLine("IMAGE: " + PNG + " ").mime, "image/png", "spaces around the data are allowed");
  assert.equal(parseImageLine("IMAGE:" + b64("GIF89a\x01\x00")).mime, "image/gif");
  assert.equal(parseImageLine("IMAGE:" + Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]).toString("base64")).mime, "image/jpeg");
  const svg = parseImageLine("IMAGE:" + b64(SVG));
  assert.equal(svg.mime, "image/svg+xml");
  assert.ok(svg.src.startsWith("data:image/svg+xml;base64,"));
  // Missing padding is completed.
  assert.equal(parseImageLine("IMAGE:" + PNG.replace(/=+$/, "")).src, "data:image/png;base64," + PNG);
});

test("HTML, scripts and anything that is not an image stay text", () => {
  for (const [line, why] of [
    ["IMAGE:<script>alert(1)</script>", /not base64/],
    ["IMAGE:" + b64("<html><script>alert(1)</script></html>"), /not a PNG/],
    ["IMAGE:" + b64("<img src=x onerror=alert(1)>"), /not a PNG/],
    ["IMAGE:" + b64('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), /a script/],
    ["IMAGE:" + b64('<svg onload="alert(1)" xmlns="http://www.w3.org/2000/svg"/>'), /event handler/],
    ["IMAGE:" + b64('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div>x</div></foreignObject></svg>'), /foreignObject/],
    ["IMAGE:" + b64('<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>'), /javascript|link/],
    ["IMAGE:" + b64('<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>'), /link outside/],
    ["IMAGE:" + b64('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://x/y)"/></svg>'), /reference outside/],
    ["IMAGE:", /no data/],
    ["IMAGE:" + "A".repeat(MAX_IMAGE_BASE64 + 4), /larger than/],
    ["IMAGE:data:image/png;base64," + PNG, /not base64/],
  ]) {
    const r = parseImageLine(line);
    assert.ok(r && !r.src, line.slice(0, 60));
    assert.match(r.refused, why, line.slice(0, 60));
  }
  assert.equal(parseImageLine("not an image line"), null);
  assert.equal(parseImageLine(" IMAGE:" + PNG), null, "only at the start of a line");
  assert.equal(svgRefusal('<svg><use href="#a"/></svg>'), null, "links inside the image are fine");
});

test("output splits into text and images line by line", () => {
  const text = `before\nIMAGE:${PNG}\r\nafter\nIMAGE:<b>no</b>\nend`;
  const parts = splitImages(text);
  assert.deepEqual(
    parts.map((p) => (p.image ? p.image.mime : p.text)),
    ["before\n", "image/png", "after\nIMAGE:<b>no</b>\nend"],
  );
  // The last line, without its newline: drawn at the end, held back while output arrives.
  assert.deepEqual(splitImages(`a\nIMAGE:${PNG}`).map((p) => p.image?.mime ?? p.text), ["a\n", "image/png"]);
  assert.deepEqual(splitImages(`a\nIMAGE:${PNG.slice(0, 8)}`, { partial: true }), [{ text: "a\n" }]);
  assert.deepEqual(splitImages("a\nIMA", { partial: true }), [{ text: "a\n" }]);
  assert.deepEqual(splitImages("a\nIMB", { partial: true }), [{ text: "a\nIMB" }]);
  assert.deepEqual(splitImages("plain"), [{ text: "plain" }]);
  assert.deepEqual(splitImages(""), []);
});
