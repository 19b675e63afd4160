//! Lifting a stub's crate-level items to the crate root when the stub lives in a module
//! (or an `include!`d expression file): leading inner attributes such as `#![feature]`
//! and leading `extern crate` items (with their outer attributes, e.g. `#[macro_use]`).
//!
//! Only the leading items are considered, as rustdoc does; comments, strings and raw
//! strings that merely look like attributes are skipped by the lexer.

use super::lexer::{self, Kind, Token};
use std::ops::Range;

/// Which leading inner attributes leave the stub.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Policy {
    /// Every inner attribute, doc comments included (an `include!`d expression file may
    /// not start with any).
    AllInner,
    /// Those that only mean something at the crate root. Lint levels (`allow`, `warn`,
    /// `deny`, `forbid`, `expect`), `doc` and `cfg` stay: they are valid on the stub's
    /// module and scoped to the user's code. Lint levels that name `internal_features` or
    /// `incomplete_features` are lifted, since those lints fire on `#![feature]`.
    CrateLevel,
}

/// What the scan found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Lifted {
    /// Byte ranges of the stub that move to the crate root, in order.
    pub ranges: Vec<Range<usize>>,
    /// Names bound by lifted `extern crate` items (`extern crate a as b;` binds `b`).
    pub extern_crates: Vec<String>,
}

/// Finds the stub's leading crate-level items. A stub the lexer cannot read lifts nothing
/// (the compiler then reports the problem in the user's file).
pub(crate) fn leading_crate_items(src: &str, policy: Policy) -> Lifted {
    let Ok(tokens) = lexer::tokenize(src) else {
        return Lifted::default();
    };
    let mut out = Lifted::default();
    let mut i = 0;
    // Start of pending outer attributes (they belong to the next item).
    let mut pending: Option<usize> = None;
    while i < tokens.len() {
        let t = &tokens[i];
        match t.kind {
            Kind::InnerDoc if pending.is_none() => {
                if policy == Policy::AllInner {
                    out.ranges.push(t.span.clone());
                }
                i += 1;
            }
            Kind::OuterDoc => {
                pending.get_or_insert(t.span.start);
                i += 1;
            }
            Kind::Punct('#') => {
                let inner = is_punct(&tokens, i + 1, '!');
                let open = if inner { i + 2 } else { i + 1 };
                if !matches!(tokens.get(open).map(|t| t.kind), Some(Kind::Open(b'['))) {
                    break;
                }
                let close = matching_close(&tokens, open);
                let span = t.span.start..tokens[close].span.end;
                if inner {
                    if pending.is_some() {
                        break;
                    }
                    if policy == Policy::AllInner
                        || lifts_at_crate_level(src, &tokens[open + 1..close])
                    {
                        out.ranges.push(span);
                    }
                } else {
                    pending.get_or_insert(span.start);
                }
                i = close + 1;
            }
            Kind::Ident
                if is_keyword(src, t, "extern") && is_ident(src, &tokens, i + 1, "crate") =>
            {
                // `extern crate NAME [as NAME];`: only names up to the `;`. Anything else
                // (brackets, a missing `;`) stays in the user's file, where rustc reports it.
                let Some(semi) = (i + 2..tokens.len())
                    .find(|&j| !matches!(tokens[j].kind, Kind::Ident | Kind::Punct('_')))
                    .filter(|&j| is_punct(&tokens, j, ';'))
                else {
                    break;
                };
                let start = pending.take().unwrap_or(t.span.start);
                out.ranges.push(start..tokens[semi].span.end);
                if let Some(name) = bound_name(src, &tokens[i + 2..semi]) {
                    out.extern_crates.push(name);
                }
                i = semi + 1;
            }
            _ => break,
        }
    }
    out
}

/// True when the stub's module defines a function named `main` at its top level, or has a
/// `#[launch]` attribute (Rocket's, which generates one): the harness then refers to it
/// so that it does not warn as dead code.
pub(crate) fn defines_main(src: &str) -> bool {
    let Ok(tokens) = lexer::tokenize(src) else {
        return false;
    };
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => depth = depth.saturating_sub(1),
            Kind::Ident
                if depth == 0
                    && is_keyword(src, t, "fn")
                    && is_ident(src, &tokens, i + 1, "main") =>
            {
                return true;
            }
            Kind::Punct('#') if depth == 0 => {
                // `#[launch]`, `#[rocket::launch]`, `#[::rocket::launch]`.
                if !matches!(tokens.get(i + 1).map(|t| t.kind), Some(Kind::Open(b'['))) {
                    continue;
                }
                let close = matching_close(&tokens, i + 1);
                let inside = &tokens[i + 2..close];
                let path_only = inside
                    .iter()
                    .all(|t| matches!(t.kind, Kind::Ident | Kind::Punct(':')));
                if path_only
                    && inside
                        .last()
                        .is_some_and(|t| lexer::ident_text(src, t) == "launch")
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// The index of the token closing the delimiter opened at `open` (the lexer guarantees
/// balance).
pub(crate) fn matching_close(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (j, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    tokens.len() - 1
}

fn is_punct(tokens: &[Token], i: usize, c: char) -> bool {
    tokens.get(i).is_some_and(|t| t.kind == Kind::Punct(c))
}

fn is_keyword(src: &str, t: &Token, word: &str) -> bool {
    t.kind == Kind::Ident && &src[t.span.clone()] == word
}

fn is_ident(src: &str, tokens: &[Token], i: usize, word: &str) -> bool {
    tokens.get(i).is_some_and(|t| is_keyword(src, t, word))
}

/// `tokens` are the inside of `#![ … ]`.
fn lifts_at_crate_level(src: &str, tokens: &[Token]) -> bool {
    let Some(first) = tokens.first().filter(|t| t.kind == Kind::Ident) else {
        return true;
    };
    // A path such as `rustfmt::skip` is a tool attribute: lifting it is harmless.
    if is_punct(tokens, 1, ':') {
        return true;
    }
    match lexer::ident_text(src, first) {
        "allow" | "warn" | "deny" | "forbid" | "expect" => tokens.iter().any(|t| {
            t.kind == Kind::Ident
                && matches!(
                    lexer::ident_text(src, t),
                    "internal_features" | "incomplete_features"
                )
        }),
        "doc" | "cfg" => false,
        _ => true,
    }
}

/// `tokens` follow `extern crate` up to the `;`.
fn bound_name(src: &str, tokens: &[Token]) -> Option<String> {
    let name = tokens.first().filter(|t| t.kind == Kind::Ident)?;
    let bound = match tokens.get(1) {
        Some(t) if is_keyword(src, t, "as") => tokens.get(2)?,
        _ => name,
    };
    let text = lexer::ident_text(src, bound);
    (bound.kind == Kind::Ident && text != "_").then(|| text.to_string())
}

/// The stub with every lifted byte replaced by a space (newlines kept), so that every
/// other byte keeps its line and column.
pub(crate) fn blank_out(src: &str, ranges: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(src.len());
    let mut last = 0;
    for r in ranges {
        out.push_str(&src[last..r.start]);
        for ch in src[r.clone()].chars() {
            match ch {
                '\n' | '\r' => out.push(ch),
                _ => out.extend(std::iter::repeat_n(' ', ch.len_utf8())),
            }
        }
        last = r.end;
    }
    out.push_str(&src[last..]);
    out
}

/// The lifted text as lines for the crate root: for each line of the stub that holds
/// lifted bytes, that line with every other byte replaced by a space (cut after its last
/// lifted byte), so columns are unchanged. Returns (text, 1-based stub line) pairs.
pub(crate) fn lifted_lines(src: &str, ranges: &[Range<usize>]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let (mut text, mut keep, mut touched, mut line) = (String::new(), 0, false, 1);
    // `ranges` are sorted and disjoint: `r` is the first one not yet behind us.
    let mut r = 0;
    for (at, ch) in src.char_indices() {
        while r < ranges.len() && ranges[r].end <= at {
            r += 1;
        }
        if r == ranges.len() {
            break;
        }
        let inside = ranges[r].start <= at;
        if ch == '\n' {
            if touched || inside {
                text.truncate(keep);
                out.push((std::mem::take(&mut text), line));
            }
            (keep, touched, line) = (0, false, line + 1);
            text.clear();
        } else if inside && ch != '\r' {
            text.push(ch);
            keep = text.len();
            touched = true;
        } else {
            text.extend(std::iter::repeat_n(' ', ch.len_utf8()));
        }
    }
    if touched {
        text.truncate(keep);
        out.push((text, line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifted_text(src: &str, policy: Policy) -> Vec<&str> {
        leading_crate_items(src, policy)
            .ranges
            .into_iter()
            .map(|r| &src[r])
            .collect()
    }

    #[test]
    fn lifts_features_and_macro_use_extern_crates() {
        let src = "#![feature(never_type)]\n#![allow(unused)]\n// note\n#[macro_use] extern crate rocket;\nextern crate serde as s;\nuse std::io;\n#![feature(late)]\n";
        let l = leading_crate_items(src, Policy::CrateLevel);
        let texts: Vec<&str> = l.ranges.iter().map(|r| &src[r.clone()]).collect();
        assert_eq!(
            texts,
            vec![
                "#![feature(never_type)]",
                "#[macro_use] extern crate rocket;",
                "extern crate serde as s;"
            ]
        );
        assert_eq!(l.extern_crates, vec!["rocket", "s"]);
        // Everything inner goes for an expression file.
        assert_eq!(
            lifted_text("//! doc\n#![allow(unused)]\n1 + 1", Policy::AllInner),
            vec!["//! doc", "#![allow(unused)]"]
        );
    }

    #[test]
    fn a_malformed_extern_crate_stays_in_the_users_file() {
        // Found by fuzzing: the item used to end at the first `;`, even inside brackets.
        assert!(lifted_text("extern crate a\n[;]\n1", Policy::AllInner).is_empty());
        assert!(lifted_text("extern crate a", Policy::AllInner).is_empty());
        assert!(lifted_text("extern crate a as (b);", Policy::AllInner).is_empty());
        assert_eq!(
            lifted_text("extern crate self as _;\n1", Policy::AllInner),
            vec!["extern crate self as _;"]
        );
    }

    #[test]
    fn lint_levels_stay_unless_they_concern_features() {
        let src = "#![deny(missing_docs)]\n#![allow(incomplete_features)]\n#![doc = \"x\"]\n#![cfg_attr(test, feature(x))]\n#![rustfmt::skip]\nfn f() {}";
        assert_eq!(
            lifted_text(src, Policy::CrateLevel),
            vec![
                "#![allow(incomplete_features)]",
                "#![cfg_attr(test, feature(x))]",
                "#![rustfmt::skip]"
            ]
        );
    }

    #[test]
    fn look_alikes_in_comments_and_strings_are_not_lifted() {
        let src = "/* #![feature(a)]\n extern crate x; */\n// #![feature(b)]\nconst S: &str = \"#![feature(c)]\";\n#![feature(d)]\n";
        assert!(lifted_text(src, Policy::CrateLevel).is_empty());
        let src = "#![doc = r#\"]\"#] #![feature(e)]\nfn main() {}";
        assert_eq!(
            lifted_text(src, Policy::AllInner),
            vec!["#![doc = r#\"]\"#]", "#![feature(e)]"]
        );
        // A comment inside a multi-line attribute is part of it.
        let src = "#![feature(\n  a, // ]\n  b,\n)]\nfn main() {}";
        assert_eq!(
            lifted_text(src, Policy::CrateLevel),
            vec!["#![feature(\n  a, // ]\n  b,\n)]"]
        );
    }

    #[test]
    fn outer_attributes_only_go_with_an_extern_crate() {
        let src = "#[cfg(test)]\n/// docs\nextern crate a;\n#[derive(Debug)]\nstruct S;";
        assert_eq!(
            lifted_text(src, Policy::CrateLevel),
            vec!["#[cfg(test)]\n/// docs\nextern crate a;"]
        );
        assert!(lifted_text("#[macro_use]\nmod m {}\n", Policy::CrateLevel).is_empty());
        assert!(lifted_text("#!/usr/bin/env run\nfn main() {}", Policy::AllInner).is_empty());
        assert!(lifted_text("#![feature(x)] \"unterminated", Policy::AllInner).is_empty());
    }

    #[test]
    fn blanking_keeps_lines_and_columns() {
        let src = "#![feature(a)] #![cfg_attr(all(), doc = \"é\")]\n#![feature(\nb)] fn x() {}\n";
        let l = leading_crate_items(src, Policy::CrateLevel);
        let blank = blank_out(src, &l.ranges);
        assert_eq!(blank.len(), src.len());
        assert_eq!(
            blank,
            format!("{}\n{}\n    fn x() {{}}\n", " ".repeat(46), " ".repeat(11))
        );
        assert_eq!(
            lifted_lines(src, &l.ranges),
            vec![
                (
                    "#![feature(a)] #![cfg_attr(all(), doc = \"é\")]".to_string(),
                    1
                ),
                ("#![feature(".to_string(), 2),
                ("b)]".to_string(), 3)
            ]
        );
    }

    #[test]
    fn many_leading_items_take_linear_time() {
        let src = "#![feature(a)]\n".repeat(100_000) + "fn main() {}";
        let started = std::time::Instant::now();
        let l = leading_crate_items(&src, Policy::CrateLevel);
        assert_eq!(l.ranges.len(), 100_000);
        assert_eq!(lifted_lines(&src, &l.ranges).len(), 100_000);
        assert_eq!(blank_out(&src, &l.ranges).len(), src.len());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn finds_main_and_launch() {
        assert!(defines_main("fn main() {}"));
        assert!(defines_main(
            "#[launch]\nfn rocket() -> _ { rocket::build() }"
        ));
        assert!(defines_main("#[rocket::launch] async fn rocket() -> _ {}"));
        assert!(!defines_main(
            "fn rocket() -> Rocket<Build> { rocket::build() }"
        ));
        assert!(!defines_main(
            "mod m { fn main() {} } // fn main\n\"fn main\";"
        ));
        assert!(!defines_main("#[get(\"/launch\")] fn launch() {}"));
    }
}
