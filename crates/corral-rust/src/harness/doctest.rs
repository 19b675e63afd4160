//! rustdoc's rules for turning a documentation example into a program, as in
//! `src/librustdoc/html/markdown.rs` (`map_line`) and `src/librustdoc/doctest/make.rs`
//! (`partition_source`, `generate_unique_doctest`) for a single, unmerged doctest:
//!
//! - a line whose trimmed text starts with `##` has its first `##` replaced by `#`; one
//!   whose trimmed text starts with `# ` is hidden but compiled (the text after `# `), and
//!   one that is exactly `#` becomes empty;
//! - leading `#![…]` attributes (across lines until complete), blank and `//` comment lines,
//!   then `extern crate` / `#[macro_use] extern crate` lines stay at the crate root;
//! - `#![allow(unused)]` is added first;
//! - unless the example has a top-level `fn main` (or a crate attribute says `no_std`), the
//!   rest is wrapped in `fn main() { … }`, or, when it ends with `(())` (as in
//!   `Ok::<(), E>(())`), in a `main` that calls an inner function returning
//!   `Result<(), impl Debug>` and unwraps it;
//! - an example that cannot be split or lexed is passed through unchanged, so the compiler
//!   reports its errors at the user's own lines.
//!
//! Lines are never merged, so every line of the program maps back to one line of the
//! example (with the bytes a hidden-line marker removed).

use super::lexer::{self, Kind};

pub(crate) struct Doctest {
    pub text: String,
    /// Per line of `text` (one per `text.split('\n')` item): (1-based example line, bytes
    /// removed from its start), `None` for rustdoc's own lines.
    pub lines: Vec<Option<(usize, usize)>>,
}

const ALLOW_UNUSED: &str = "#![allow(unused)]";
const MAIN_PRE: &str = "fn main() {";
const MAIN_POST: &str = "}";
const RESULT_MAIN_PRE: &str =
    "fn main() { fn _inner() -> core::result::Result<(), impl core::fmt::Debug> {";
const RESULT_MAIN_POST: &str = "} _inner().unwrap() }";

/// A line of the example after hidden-line processing.
struct Line {
    text: String,
    user_line: usize,
    shift: usize,
}

pub(crate) fn build(example: &str) -> Doctest {
    let lines: Vec<Line> = example
        .split('\n')
        .enumerate()
        .map(|(n, s)| {
            let (text, shift) = map_line(s);
            Line {
                text,
                user_line: n + 1,
                shift,
            }
        })
        .collect();

    let Some(prefix) = partition(&lines) else {
        return pass_through(&lines);
    };
    let crate_part = join(&lines[..prefix]);
    let rest = join(&lines[prefix..]);
    let Some(has_main) = has_main_fn(&rest, &join(&lines)) else {
        return pass_through(&lines);
    };

    let mut out = Out::default();
    out.harness(ALLOW_UNUSED);
    for l in &lines[..prefix] {
        out.user(l);
    }
    let wrap = !has_main && !crate_part.contains("![no_std]");
    let returns_result = rest.trim().ends_with("(())");
    if wrap {
        out.harness(if returns_result {
            RESULT_MAIN_PRE
        } else {
            MAIN_PRE
        });
    }
    for l in &lines[prefix..] {
        out.user(l);
    }
    if wrap {
        out.harness(if returns_result {
            RESULT_MAIN_POST
        } else {
            MAIN_POST
        });
    }
    out.finish()
}

/// The program being built, line by line.
#[derive(Default)]
struct Out {
    text: Vec<String>,
    lines: Vec<Option<(usize, usize)>>,
}

impl Out {
    fn harness(&mut self, text: &str) {
        self.text.push(text.to_string());
        self.lines.push(None);
    }

    fn user(&mut self, l: &Line) {
        self.text.push(l.text.clone());
        self.lines.push(Some((l.user_line, l.shift)));
    }

    /// Lines joined with `\n`: one entry in `lines` per `text.split('\n')` item.
    fn finish(self) -> Doctest {
        Doctest {
            text: self.text.join("\n"),
            lines: self.lines,
        }
    }
}

fn pass_through(lines: &[Line]) -> Doctest {
    let mut out = Out::default();
    for l in lines {
        out.user(l);
    }
    out.finish()
}

fn join(lines: &[Line]) -> String {
    let mut s = String::new();
    for l in lines {
        s.push_str(&l.text);
        s.push('\n');
    }
    s
}

/// rustdoc's `map_line`: returns the code line and how many bytes left its start.
fn map_line(s: &str) -> (String, usize) {
    let trimmed = s.trim();
    if trimmed.starts_with("##") {
        (s.replacen("##", "#", 1), 1)
    } else if let Some(rest) = trimmed.strip_prefix("# ") {
        (rest.to_string(), s.len() - s.trim_start().len() + 2)
    } else if trimmed == "#" {
        (String::new(), 0)
    } else {
        (s.to_string(), 0)
    }
}

/// rustdoc's `partition_source`: the number of leading lines that stay at the crate root,
/// or `None` when an attribute never completes.
fn partition(lines: &[Line]) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Attrs,
        Crates,
    }
    let is_extern_crate =
        |t: &str| t.starts_with("extern crate") || t.starts_with("#[macro_use] extern crate");
    let is_blank_or_comment = |t: &str| {
        t.chars().all(char::is_whitespace) || (t.starts_with("//") && !t.starts_with("///"))
    };
    let mut state = State::Attrs;
    let mut pending = String::new();
    for (n, line) in lines.iter().enumerate() {
        let text = line.text.as_str();
        let trimmed = text.trim();
        match state {
            State::Attrs => {
                if trimmed.starts_with("#![") {
                    pending = text.to_string();
                    if !settle_attr(&mut pending) {
                        return None;
                    }
                } else if is_blank_or_comment(trimmed) {
                } else if is_extern_crate(trimmed) {
                    state = State::Crates;
                } else if !pending.is_empty() {
                    pending.push_str(text);
                    if !trimmed.is_empty() && !settle_attr(&mut pending) {
                        return None;
                    }
                } else {
                    return pending.is_empty().then_some(n);
                }
            }
            State::Crates => {
                if !(is_extern_crate(trimmed) || is_blank_or_comment(trimmed)) {
                    return pending.is_empty().then_some(n);
                }
            }
        }
    }
    pending.is_empty().then_some(lines.len())
}

/// rustdoc's `handle_attr`: clears `pending` when it holds a complete attribute, else
/// adds a newline and waits for more. Returns false when the attribute grows past
/// [`MAX_PENDING_ATTR`] (each line re-lexes it, so this bounds the work).
fn settle_attr(pending: &mut String) -> bool {
    if attr_is_complete(pending) {
        pending.clear();
    } else {
        pending.push('\n');
    }
    pending.len() <= MAX_PENDING_ATTR
}

/// The longest multi-line crate attribute considered; a longer one makes the example
/// pass through unchanged.
const MAX_PENDING_ATTR: usize = 16 * 1024;

/// Whether `src` starts with a complete `#![path …]` (what rustc's `parse_attribute` would
/// accept, approximately): it lexes with balanced delimiters and begins `#`, `!`, `[`, path.
fn attr_is_complete(src: &str) -> bool {
    let Ok(tokens) = lexer::tokenize(src) else {
        return false;
    };
    matches!(
        tokens.iter().take(4).map(|t| t.kind).collect::<Vec<_>>()[..],
        [
            Kind::Punct('#'),
            Kind::Punct('!'),
            Kind::Open(b'['),
            Kind::Ident
        ]
    )
}

/// rustdoc's main detection: a top-level `fn main`, or, when the example invokes a macro at
/// the top level, the words `fn main` anywhere outside a `//` comment (a `main` hidden in
/// a macro). `None` when the code does not lex (rustdoc then passes it through).
fn has_main_fn(rest: &str, code: &str) -> Option<bool> {
    let tokens = lexer::tokenize(rest).ok()?;
    let mut depth = 0usize;
    let mut found_macro = false;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => depth = depth.saturating_sub(1),
            Kind::Ident if depth == 0 => {
                let word = &rest[t.span.clone()];
                let next = tokens.get(i + 1);
                if word == "fn"
                    && next
                        .is_some_and(|n| n.kind == Kind::Ident && &rest[n.span.clone()] == "main")
                {
                    return Some(true);
                }
                if word != "macro_rules"
                    && next.is_some_and(|n| n.kind == Kind::Punct('!'))
                    && tokens
                        .get(i + 2)
                        .is_some_and(|n| matches!(n.kind, Kind::Open(_)))
                {
                    found_macro = true;
                }
            }
            _ => {}
        }
    }
    Some(
        found_macro
            && code
                .lines()
                .map(|line| line.find("//").map_or(line, |c| &line[..c]))
                .any(|code| code.contains("fn main")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_lines_follow_rustdoc() {
        assert_eq!(map_line("# let x = 1;"), ("let x = 1;".into(), 2));
        assert_eq!(map_line("    #   x  "), ("  x".into(), 6));
        assert_eq!(map_line("#"), (String::new(), 0));
        assert_eq!(map_line("  #"), (String::new(), 0));
        assert_eq!(map_line("## x"), ("# x".into(), 1));
        assert_eq!(map_line("#[derive(Debug)]"), ("#[derive(Debug)]".into(), 0));
        assert_eq!(map_line("#![feature(x)]"), ("#![feature(x)]".into(), 0));
        assert_eq!(map_line("#x"), ("#x".into(), 0));
    }

    #[test]
    fn wraps_code_without_main_and_maps_lines() {
        let d = build("# use std::fmt;\nlet x = 1;\nassert_eq!(x, 1);");
        assert_eq!(
            d.text,
            "#![allow(unused)]\nfn main() {\nuse std::fmt;\nlet x = 1;\nassert_eq!(x, 1);\n}"
        );
        assert_eq!(
            d.lines,
            vec![None, None, Some((1, 2)), Some((2, 0)), Some((3, 0)), None]
        );
    }

    #[test]
    fn lifts_crate_attributes_and_extern_crates() {
        let d = build(
            "#![feature(\n  never_type,\n)]\n// c\n# #[macro_use] extern crate std as s;\n\nlet x = 1;\n",
        );
        assert_eq!(
            d.text,
            "#![allow(unused)]\n#![feature(\n  never_type,\n)]\n// c\n#[macro_use] extern crate std as s;\n\nfn main() {\nlet x = 1;\n\n}"
        );
        assert_eq!(d.lines[5], Some((5, 2)));
        assert_eq!(d.lines[7], None);
        assert_eq!(d.lines[8], Some((7, 0)));
    }

    #[test]
    fn keeps_an_existing_main() {
        let d = build("# fn main() {\nprintln!(\"hi\");\n# }");
        assert_eq!(
            d.text,
            "#![allow(unused)]\nfn main() {\nprintln!(\"hi\");\n}"
        );
        assert_eq!(
            d.lines,
            vec![None, Some((1, 2)), Some((2, 0)), Some((3, 2))]
        );
        // Nested or quoted `fn main` does not count.
        let d = build("mod m { fn main() {} }\nlet s = \"fn main\";");
        assert!(d.text.contains("fn main() {\nmod m"));
        // A macro hiding `main`.
        let d = build("macro_rules! m { ($i:item) => { $i } }\nm! { fn main() {} }");
        assert!(!d.text.contains("fn main() {\n"));
    }

    #[test]
    fn result_returning_examples() {
        let d = build("let n: i32 = \"5\".parse()?;\nOk::<(), std::num::ParseIntError>(())\n");
        assert!(
            d.text
                .starts_with(&format!("{ALLOW_UNUSED}\n{RESULT_MAIN_PRE}\n"))
        );
        assert!(d.text.ends_with(&format!("\n\n{RESULT_MAIN_POST}")));
    }

    #[test]
    fn broken_examples_pass_through() {
        let d = build("#![feature(x\nlet x = 1;");
        assert_eq!(d.text, "#![feature(x\nlet x = 1;");
        assert_eq!(d.lines, vec![Some((1, 0)), Some((2, 0))]);
        let d = build("let s = \"open;\n");
        assert_eq!(d.text, "let s = \"open;\n");
        assert_eq!(d.lines.len(), 2);
        let long = format!(
            "#![doc = concat!(\n{}\n)]\nlet x = 1;",
            "\"a\",\n".repeat(5000)
        );
        let d = build(&long);
        assert_eq!(d.text, long);
        let d = build("#![no_std]\nfn f() {}");
        assert_eq!(d.text, "#![allow(unused)]\n#![no_std]\nfn f() {}");
    }
}
