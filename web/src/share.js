// A shared snippet's `code` as the editor's text: a string as it is; a list of files
// (shared through the API) as its crate root, since the page edits one file.
export function shareText(code) {
  if (typeof code === "string") return code;
  if (!Array.isArray(code) || code.length === 0) return "";
  const root = ["src/main.rs", "main.rs", "src/lib.rs", "lib.rs"]
    .map((name) => code.find((f) => f && f.name === name))
    .find(Boolean);
  const file = root || code[0];
  return typeof file?.content === "string" ? file.content : "";
}
