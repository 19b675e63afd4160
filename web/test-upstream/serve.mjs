// Serves a build of the Rust Playground's own frontend (rust-lang/rust-playground's
// ui/frontend, built by scripts/frontend-test.sh) the way the playground's server does
// (ui/src/server_axum.rs): its static files at `/` and `/assets/`, `/help` as the index,
// and its API routes and `/websocket` proxied to a corral server. Node's http and net
// only; for the test in this directory, and by hand:
//
//   node web/test-upstream/serve.mjs --dist DIR --corral http://127.0.0.1:8000 [--listen 127.0.0.1:5000]
import { createReadStream, statSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

// The routes the playground's server answers itself (not files), as in its router.
const API = new Set([
  "/evaluate.json",
  "/compile",
  "/execute",
  "/format",
  "/clippy",
  "/miri",
  "/macro-expansion",
  "/metrics",
  "/tokio-metrics",
  "/websocket",
  "/nowebsocket",
]);
const isApi = (path) => API.has(path) || path === "/meta" || path.startsWith("/meta/") || path.startsWith("/internal/");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
  ".map": "application/json",
};

function serveFile(root, path, res) {
  if (path === "/" || path === "/help") path = "/index.html";
  const file = normalize(join(root, decodeURIComponent(path)));
  if (file !== root && !file.startsWith(root + sep)) return notFound(res);
  let st;
  try {
    st = statSync(file);
  } catch {
    return notFound(res);
  }
  if (!st.isFile()) return notFound(res);
  res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream", "content-length": st.size });
  createReadStream(file).pipe(res);
}

function notFound(res) {
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found\n");
}

/**
 * Starts the server on `listen` (host, port; port 0 picks one). Returns
 * `{ url, requests, close }`; `requests` lists "METHOD /path" of every request proxied
 * to corral, in order (the test checks which routes the frontend used).
 */
export async function startFrontendServer({ dist, corral, host = "127.0.0.1", port = 0 }) {
  const root = resolve(dist);
  const target = new URL(corral);
  const requests = [];
  const sockets = new Set();

  const server = http.createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (!isApi(path)) {
      if (req.method !== "GET" && req.method !== "HEAD") return notFound(res);
      return serveFile(root, path, res);
    }
    requests.push(`${req.method} ${path}`);
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `proxy: ${e.message}` }));
    });
    req.pipe(up);
  });

  // WebSocket (and any other upgrade): the request's head goes to corral as it came,
  // then the bytes are piped both ways.
  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url, "http://x").pathname;
    if (!isApi(path)) return socket.destroy();
    requests.push(`UPGRADE ${path}`);
    const up = net.connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(lines.join("\r\n") + "\r\n\r\n");
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    const both = () => {
      up.destroy();
      socket.destroy();
    };
    up.on("error", both);
    socket.on("error", both);
    up.on("close", both);
    socket.on("close", both);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, ok);
  });
  const addr = server.address();
  return {
    url: `http://${host}:${addr.port}`,
    requests,
    close: () =>
      new Promise((ok) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    if (i > 0 && process.argv[i + 1]) return process.argv[i + 1];
    if (fallback === undefined) {
      console.error(`usage: serve.mjs --dist DIR --corral URL [--listen HOST:PORT]`);
      process.exit(2);
    }
    return fallback;
  };
  const [host, port] = arg("listen", "127.0.0.1:5000").split(":");
  const s = await startFrontendServer({ dist: arg("dist"), corral: arg("corral"), host, port: Number(port) });
  console.log(`the playground's frontend at ${s.url}, its API proxied to ${arg("corral")}`);
}
