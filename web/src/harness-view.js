// What a harness read from a run (`run.harness`), shown as a person reads it: a
// `rocket-request` response as an HTTP response (several, each under its request line),
// the `test` harness's tests as a list.
// Everything from the run goes through textContent.
import { el } from "./dom.js";

// Reason phrases of the status codes an app commonly answers.
const REASONS = {
  100: "Continue", 101: "Switching Protocols", 200: "OK", 201: "Created", 202: "Accepted",
  204: "No Content", 206: "Partial Content", 301: "Moved Permanently", 302: "Found",
  303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
  405: "Method Not Allowed", 406: "Not Acceptable", 409: "Conflict", 410: "Gone",
  413: "Payload Too Large", 415: "Unsupported Media Type", 418: "I'm a teapot",
  422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error",
  501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
};

/** A `rocket-request` response as HTTP text: status line, headers, a blank line, the body
 * (JSON pretty-printed when the content type says JSON and it parses). */
export function responseText(r) {
  if (typeof r?.error === "string") return `No response: ${r.error}\n`;
  const status = Number(r?.status);
  const lines = [`HTTP/1.1 ${status}${REASONS[status] ? " " + REASONS[status] : ""}`];
  const headers = r?.headers && typeof r.headers === "object" ? r.headers : {};
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  let body = typeof r?.body === "string" ? r.body : "";
  if (/\bjson\b/i.test(String(headers["content-type"] ?? ""))) {
    try {
      body = JSON.stringify(JSON.parse(body), null, 2) + "\n";
    } catch {
      // Not JSON after all: shown as it came.
    }
  }
  return `${lines.join("\n")}\n\n${body}`;
}

const MARKS = { passed: "✔", failed: "✘", ignored: "○" };

/** The test harness's result as list items: `{mark, outcome, name, note, output}`, failures first. */
export function testItems(h) {
  const tests = Array.isArray(h?.tests) ? h.tests : [];
  const rank = { failed: 0, passed: 1, ignored: 2 };
  return tests
    .map((t, i) => ({ t, i }))
    .sort((a, b) => (rank[a.t.outcome] ?? 3) - (rank[b.t.outcome] ?? 3) || a.i - b.i)
    .map(({ t }) => ({
      mark: MARKS[t.outcome] ?? "?",
      outcome: String(t.outcome ?? ""),
      name: String(t.name ?? ""),
      note: t.reason ? `ignored: ${t.reason}` : "",
      output: typeof t.output === "string" ? t.output : "",
    }));
}

/** "2 passed, 1 failed, 1 ignored" (and the harness's note, if any). */
export function testSummary(h) {
  const parts = [`${h?.passed ?? 0} passed`, `${h?.failed ?? 0} failed`];
  if (h?.ignored) parts.push(`${h.ignored} ignored`);
  return parts.join(", ") + (h?.note ? ` (${h.note})` : "");
}

/**
 * The pane's title and content for a harness result: `{title, node}` (node is null when
 * there is nothing to show).
 */
export function harnessView(harness, h) {
  if (!h || typeof h !== "object" || !Object.keys(h).length) return { title: "Harness result", node: null };
  if (harness === "rocket-request" && Array.isArray(h.responses) && h.responses.length > 1) {
    // Several requests through one client: each response under its request line.
    const box = el("div", "responses");
    h.responses.forEach((r, i) => {
      box.append(el("p", "response-request", `${i + 1}. ${r?.request ?? ""}`), el("pre", "http-response", responseText(r)));
    });
    return { title: "Responses", node: box };
  }
  if (harness === "rocket-request") return { title: "Response", node: el("pre", "http-response", responseText(h)) };
  if (harness === "test" && Array.isArray(h.tests)) {
    const box = el("div", "tests");
    box.append(el("p", "tests-summary " + (h.failed ? "bad" : "ok"), testSummary(h)));
    const list = el("ul", "test-list");
    for (const item of testItems(h)) {
      const li = el("li", `test ${item.outcome}`);
      li.append(el("span", "test-mark", item.mark + " "), el("span", "test-name", item.name));
      if (item.note) li.append(el("span", "test-note", ` (${item.note})`));
      if (item.output) li.append(el("pre", "test-output", item.output));
      list.append(li);
    }
    box.append(list);
    return { title: "Tests", node: box };
  }
  return { title: "Harness result", node: el("pre", "", JSON.stringify(h, null, 2)) };
}
