//! rustc's JSON diagnostics, mapped back to the text the user sent.
//!
//! rustc reports positions in the generated files; the harness says which lines of
//! which file came from the user (and how many bytes it removed from each line's
//! start, e.g. rustdoc's `# `). Spans elsewhere are harness code (`in_harness`).
//!
//! A diagnostic inside the harness's own generated files (its glue) would point the user
//! at code they never wrote: its errors become one error in the stub's terms (what the
//! harness needs, e.g. "a function `rocket()`"), on the first line of the user's text
//! and after the user's own errors, and its warnings are dropped.

use serde::{Deserialize, Serialize};

/// One diagnostic of `compile.diagnostics` (docs/contracts.md, Rust result).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub level: String,
    pub code: Option<String>,
    pub message: String,
    pub file: Option<String>,
    pub line_start: Option<usize>,
    pub column_start: Option<usize>,
    pub line_end: Option<usize>,
    pub column_end: Option<usize>,
    /// UTF-8 byte offsets into the user's text.
    pub byte_start: Option<usize>,
    pub byte_end: Option<usize>,
    pub in_harness: bool,
    pub rendered: String,
}

/// (generated file, 1-based line) -> (user line, bytes removed from its start).
pub type LineLookup<'a> = &'a dyn Fn(&str, usize) -> Option<(usize, usize)>;

/// Where the user's text sits in the generated sources.
pub struct UserLines<'a> {
    /// (generated file as rustc names it, 1-based line) -> (user line, 1-based; bytes
    /// removed from its start), or None for harness code.
    pub lookup: LineLookup<'a>,
    /// The user's original text.
    pub text: &'a str,
    /// The name the user knows the file by (e.g. `src/main.rs`).
    pub user_file: &'a str,
    /// What the harness needs from the stub, said instead of an error in its glue.
    pub needs: &'a str,
}

#[derive(Deserialize)]
struct RawDiagnostic {
    #[serde(rename = "$message_type")]
    message_type: Option<String>,
    message: String,
    code: Option<RawCode>,
    level: String,
    spans: Vec<RawSpan>,
    rendered: Option<String>,
}

#[derive(Deserialize)]
struct RawCode {
    code: String,
}

#[derive(Deserialize)]
struct RawSpan {
    file_name: String,
    line_start: usize,
    line_end: usize,
    column_start: usize,
    column_end: usize,
    is_primary: bool,
}

/// Parses rustc's stderr (one JSON object per line; other lines, e.g. from the linker,
/// are kept as plain text). Returns the diagnostics and the rendered text for people.
pub fn parse(stderr: &str, map: &UserLines) -> (Vec<Diagnostic>, String) {
    let mut out = vec![];
    let mut rendered = String::new();
    // The first error found in the harness's glue: replaced by `map.needs`.
    let mut glue_error: Option<String> = None;
    // Where rustc's "aborting due to" summary is (index in `out`, offset in `rendered`).
    let mut aborting: Option<(usize, usize)> = None;
    for line in stderr.lines() {
        let Ok(raw) = serde_json::from_str::<RawDiagnostic>(line) else {
            if !line.trim().is_empty() {
                rendered.push_str(line);
                rendered.push('\n');
            }
            continue;
        };
        if raw
            .message_type
            .as_deref()
            .is_some_and(|t| t != "diagnostic")
        {
            continue;
        }
        let mut d = Diagnostic {
            level: raw.level,
            code: raw.code.map(|c| c.code),
            message: raw.message,
            file: None,
            line_start: None,
            column_start: None,
            line_end: None,
            column_end: None,
            byte_start: None,
            byte_end: None,
            in_harness: false,
            rendered: map.rewrite_rendered(&raw.rendered.unwrap_or_default()),
        };
        if let Some(span) = raw.spans.iter().find(|s| s.is_primary) {
            match (
                map.locate(&span.file_name, span.line_start, span.column_start),
                map.locate(&span.file_name, span.line_end, span.column_end),
            ) {
                (Some((ls, cs, bs)), Some((le, ce, be))) => {
                    d.file = Some(map.user_file.to_string());
                    (d.line_start, d.column_start, d.byte_start) = (Some(ls), Some(cs), Some(bs));
                    (d.line_end, d.column_end, d.byte_end) = (Some(le), Some(ce), Some(be));
                }
                _ if is_work_file(&span.file_name) => {
                    if d.level == "error" && glue_error.is_none() {
                        glue_error = Some(d.message);
                    }
                    continue;
                }
                _ => {
                    d.in_harness = true;
                    d.file = Some(span.file_name.clone());
                    (d.line_start, d.column_start) =
                        (Some(span.line_start), Some(span.column_start));
                    (d.line_end, d.column_end) = (Some(span.line_end), Some(span.column_end));
                }
            }
        }
        if aborting.is_none() && d.message.starts_with("aborting due to") {
            aborting = Some((out.len(), rendered.len()));
        }
        rendered.push_str(&d.rendered);
        out.push(d);
    }
    // After the user's own errors (the glue's often follow from them), before rustc's
    // "aborting due to" summary.
    if let Some(found) = glue_error {
        let d = map.needs_error(&found);
        let (index, offset) = aborting.unwrap_or((out.len(), rendered.len()));
        rendered.insert_str(offset, &d.rendered);
        out.insert(index, d);
    }
    (out, rendered)
}

/// `file:line:column` as rustc writes a location.
fn parse_location(at: &str) -> Option<(&str, usize, usize)> {
    let mut parts = at.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    Some((parts.next()?, line, column))
}

/// A line of a code snippet: line numbers or blanks, then `|` (or rustc's `...`).
fn is_snippet_line(plain: &str) -> bool {
    let t = plain.trim();
    t == "..."
        || plain
            .split_once('|')
            .is_some_and(|(gutter, _)| gutter.chars().all(|c| c.is_ascii_digit() || c == ' '))
}

/// `text` without its ANSI escape sequences (CSI: ESC `[` … final byte).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A file of the work dir (the harness's generated files and the user's), as rustc names
/// it: relative. The standard library's and crates' sources have absolute paths.
fn is_work_file(file: &str) -> bool {
    !file.starts_with('/') && !file.starts_with('<')
}

impl UserLines<'_> {
    /// rustc's text for people, in the user's terms: a `-->` or `:::` location in the
    /// user's text names the user's file and line; a snippet of the harness's own files
    /// (e.g. its `println!` around an expression) is left out. (The gutter's line
    /// numbers are rustc's; they differ only where the harness shifts lines.)
    fn rewrite_rendered(&self, rendered: &str) -> String {
        let mut out = String::with_capacity(rendered.len());
        let mut skipping = false;
        for line in rendered.split_inclusive('\n') {
            let plain = strip_ansi(line);
            let trimmed = plain.trim_start();
            let header = ["--> ", "::: "]
                .into_iter()
                .find_map(|arrow| Some((arrow, trimmed.strip_prefix(arrow)?)));
            if let Some((arrow, at)) = header {
                if let Some((file, l, c)) = parse_location(at.trim_end()) {
                    if let Some((line, column, _)) = self.locate(file, l, c) {
                        let indent = &plain[..plain.len() - trimmed.len()];
                        out.push_str(&format!(
                            "{indent}{arrow}{}:{line}:{column}\n",
                            self.user_file
                        ));
                        skipping = false;
                        continue;
                    }
                    skipping = is_work_file(file);
                    if skipping {
                        continue;
                    }
                }
            } else if skipping && is_snippet_line(&plain) {
                continue;
            } else {
                skipping = false;
            }
            out.push_str(line);
        }
        out
    }

    /// The error that replaces errors in the harness's glue: what the harness needs, on
    /// the first line of the user's text, with what the compiler found as a note.
    fn needs_error(&self, found: &str) -> Diagnostic {
        let first_line = self
            .text
            .split('\n')
            .next()
            .unwrap_or("")
            .trim_end_matches('\r');
        let rendered = format!(
            "error: {}\n --> {}:1:1\n  |\n  = note: the compiler found: {found}\n\n",
            self.needs, self.user_file
        );
        Diagnostic {
            level: "error".into(),
            code: None,
            message: self.needs.to_string(),
            file: Some(self.user_file.to_string()),
            line_start: Some(1),
            column_start: Some(1),
            line_end: Some(1),
            column_end: Some(first_line.chars().count() + 1),
            byte_start: Some(0),
            byte_end: Some(first_line.len()),
            in_harness: false,
            rendered,
        }
    }

    /// A generated (line, char column), both 1-based, to the user's (line, char column, byte offset).
    fn locate(&self, file: &str, line: usize, column: usize) -> Option<(usize, usize, usize)> {
        let (user_line, removed) = (self.lookup)(file, line)?;
        let line_start = line_start_byte(self.text, user_line)?;
        let line_text = self.text[line_start..].split('\n').next().unwrap_or("");
        // The removed prefix is ASCII (`# `), so it is as many chars as bytes.
        let user_column = column + removed;
        let byte_in_line: usize = line_text
            .chars()
            .take(user_column - 1)
            .map(char::len_utf8)
            .sum();
        Some((user_line, user_column, line_start + byte_in_line))
    }
}

/// Byte offset where 1-based line `n` starts in `text`.
fn line_start_byte(text: &str, n: usize) -> Option<usize> {
    if n == 1 {
        return Some(0);
    }
    text.match_indices('\n').nth(n - 2).map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table<'a>(
        file: &'a str,
        lines: &'a [Option<(usize, usize)>],
    ) -> impl Fn(&str, usize) -> Option<(usize, usize)> + 'a {
        move |f, l| {
            if f == file {
                *lines.get(l.checked_sub(1)?)?
            } else {
                None
            }
        }
    }

    const ERROR: &str = r#"{"$message_type":"diagnostic","message":"mismatched types","code":{"code":"E0308","explanation":"…"},"level":"error","spans":[{"file_name":"src/main.rs","byte_start":31,"byte_end":35,"line_start":2,"line_end":2,"column_start":18,"column_end":21,"is_primary":true,"text":[],"label":null,"suggested_replacement":null,"suggestion_applicability":null,"expansion":null}],"children":[],"rendered":"error[E0308]: mismatched types\n"}"#;

    #[test]
    fn identity_mapping_keeps_positions_and_counts_bytes_in_utf8() {
        let text = "fn main() {\n    let x: i32 = \"é\";\n}\n";
        let lines: Vec<_> = (1..=3).map(|l| Some((l, 0))).collect();
        let map = UserLines {
            lookup: &table("src/main.rs", &lines),
            text,
            user_file: "src/main.rs",
            needs: "the harness needs a function `f()`",
        };
        let (d, rendered) = parse(ERROR, &map);
        assert_eq!(rendered, "error[E0308]: mismatched types\n");
        let d = &d[0];
        assert_eq!(
            (d.level.as_str(), d.code.as_deref()),
            ("error", Some("E0308"))
        );
        assert_eq!(
            (d.line_start, d.column_start, d.column_end),
            (Some(2), Some(18), Some(21))
        );
        // "é" is two bytes: the span `"é"` covers bytes 29..33 of the text.
        assert_eq!((d.byte_start, d.byte_end), (Some(29), Some(33)));
        assert_eq!(&text[29..33], "\"é\"");
        assert!(!d.in_harness);
    }

    #[test]
    fn shifted_lines_map_back_and_harness_lines_are_marked() {
        // Generated: line 1 harness, line 2 = user line 2 with "# " removed.
        let text = "use std::fmt;\n# let x: i32 = \"é\";\n";
        let lines = vec![None, Some((2, 2))];
        let map = UserLines {
            lookup: &table("src/main.rs", &lines),
            text,
            user_file: "src/main.rs",
            needs: "the harness needs a function `f()`",
        };
        let shifted = ERROR.replace(
            r#""column_start":18,"column_end":21"#,
            r#""column_start":14,"column_end":17"#,
        );
        let (d, _) = parse(&shifted, &map);
        assert_eq!((d[0].line_start, d[0].column_start), (Some(2), Some(16)));
        assert_eq!(
            &text[d[0].byte_start.unwrap()..d[0].byte_end.unwrap()],
            "\"é\""
        );
        let in_harness = ERROR.replace(
            r#""line_start":2,"line_end":2"#,
            r#""line_start":1,"line_end":1"#,
        );
        let (d, rendered) = parse(&in_harness, &map);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "the harness needs a function `f()`");
        assert_eq!((d[0].line_start, d[0].byte_start), (Some(1), Some(0)));
        assert_eq!(d[0].byte_end, Some("use std::fmt;".len()));
        assert!(!d[0].in_harness);
        assert_eq!(
            rendered,
            "error: the harness needs a function `f()`\n --> src/main.rs:1:1\n  |\n  = note: the compiler found: mismatched types\n\n"
        );
        // A span in the standard library is not the harness's glue: kept as it is.
        let in_std = ERROR.replace(
            r#""file_name":"src/main.rs""#,
            r#""file_name":"/rustc/abc/library/core/src/fmt/mod.rs""#,
        );
        let (d, rendered) = parse(&in_std, &map);
        assert!(d[0].in_harness);
        assert_eq!(d[0].message, "mismatched types");
        assert_eq!(rendered, "error[E0308]: mismatched types\n");
    }

    #[test]
    fn rendered_text_names_the_users_file_and_leaves_out_harness_snippets() {
        // An expression harness: the user's line 1 is line 1 of src/user.rs; the
        // harness's src/main.rs is glue.
        let lookup = |f: &str, l: usize| (f == "src/user.rs").then_some((l, 0));
        let map = UserLines {
            lookup: &lookup,
            text: "{ struct S; S }\n",
            user_file: "src/main.rs",
            needs: "",
        };
        let rendered = "error[E0277]: `S` doesn't implement `Debug`\n --> src/user.rs:1:1\n  |\n1 | { struct S; S }\n  | ^^^^^^^^^^^^^^^ `S` cannot be formatted\n  |\n ::: src/main.rs:4:22\n  |\n4 |     ::std::println!(\"{:?}\", include!(\"user.rs\"));\n  |     ------ in this macro invocation\n  |\n  = help: the trait `Debug` is not implemented for `S`\nhelp: consider annotating `S` with `#[derive(Debug)]`\n  |\n1 | { #[derive(Debug)]\n  |   ++++\n\n";
        assert_eq!(
            map.rewrite_rendered(rendered),
            "error[E0277]: `S` doesn't implement `Debug`\n --> src/main.rs:1:1\n  |\n1 | { struct S; S }\n  | ^^^^^^^^^^^^^^^ `S` cannot be formatted\n  |\n  = help: the trait `Debug` is not implemented for `S`\nhelp: consider annotating `S` with `#[derive(Debug)]`\n  |\n1 | { #[derive(Debug)]\n  |   ++++\n\n"
        );
        // Colours do not hide a location; the standard library's stays.
        let coloured = "\x1b[1m\x1b[94m--> \x1b[0msrc/user.rs:1:3\n  ::: /rustc/x/library/core/src/fmt/mod.rs:9:1\n";
        assert_eq!(
            map.rewrite_rendered(coloured),
            "--> src/main.rs:1:3\n  ::: /rustc/x/library/core/src/fmt/mod.rs:9:1\n"
        );
    }

    #[test]
    fn the_harness_need_follows_the_users_own_errors() {
        let text = "use std::fmt;\n# let x: i32 = \"é\";\n";
        let lines = vec![Some((1, 0)), Some((2, 2))];
        let map = UserLines {
            lookup: &table("src/main.rs", &lines),
            text,
            user_file: "src/main.rs",
            needs: "the harness needs a function `f()`",
        };
        let glue = ERROR.replace(r#""src/main.rs""#, r#""src/__entry.rs""#);
        let abort = r#"{"$message_type":"diagnostic","message":"aborting due to 2 previous errors","code":null,"level":"error","spans":[],"children":[],"rendered":"error: aborting due to 2 previous errors\n"}"#;
        let (d, rendered) = parse(&format!("{ERROR}\n{glue}\n{abort}\n"), &map);
        let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "mismatched types",
                "the harness needs a function `f()`",
                "aborting due to 2 previous errors"
            ]
        );
        assert!(rendered.starts_with("error[E0308]: mismatched types\nerror: the harness needs"));
        assert!(rendered.ends_with("error: aborting due to 2 previous errors\n"));
    }

    #[test]
    fn plain_lines_are_kept_as_text() {
        let map = UserLines {
            lookup: &table("src/main.rs", &[]),
            text: "",
            user_file: "src/main.rs",
            needs: "the harness needs a function `f()`",
        };
        let (d, rendered) = parse("error: linking with `cc` failed\n", &map);
        assert!(d.is_empty());
        assert_eq!(rendered, "error: linking with `cc` failed\n");
    }
}
