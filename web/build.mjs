// Builds web/dist from web/src: the page (app.js, app.css, index.html), the embed
// (embed.js for other sites and the frame page embed.html, with embed.css) and the
// tutorials' page (learn.js, learn.css, learn.html). The output
// is committed and embedded in the corral binary; CI rebuilds it and fails on any
// difference, so the build must be deterministic (no dates, no absolute paths).
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist");
await esbuild.build({
  entryPoints: { app: "src/main.js", embed: "src/embed.js", learn: "src/learn.js" },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "none",
  charset: "utf8",
  outdir: "dist",
  logLevel: "warning",
});
await esbuild.build({
  entryPoints: { app: "src/style.css", embed: "src/embed.css", learn: "src/learn.css" },
  bundle: true,
  minify: true,
  legalComments: "none",
  charset: "utf8",
  outdir: "dist",
  logLevel: "warning",
});
copyFileSync("src/index.html", "dist/index.html");
copyFileSync("src/embed.html", "dist/embed.html");
copyFileSync("src/learn.html", "dist/learn.html");
