// A run's result in one line, as the page and the tutorials show it above the output:
// "success · exit 0 · compile 351 ms · run 8 ms".

export function resultStatus(r) {
  const parts = [String(r.status || "done").replace(/_/g, " ")];
  if (r.run?.exit_code != null) parts.push(`exit ${r.run.exit_code}`);
  if (r.limit) parts.push(`limit: ${typeof r.limit === "string" ? r.limit : JSON.stringify(r.limit)}`);
  if (r.compile?.wall_ms != null) parts.push(`compile ${r.compile.wall_ms} ms`);
  if (r.run?.wall_ms != null) parts.push(`run ${r.run.wall_ms} ms`);
  if (r.cached) parts.push("cached");
  return { text: parts.join(" · "), cls: r.status === "success" ? "ok" : "bad" };
}
