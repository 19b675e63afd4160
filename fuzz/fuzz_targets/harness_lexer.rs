//! The harness lexer: any text. Tokens are non-empty, in order, disjoint, on character
//! boundaries, and (when lexing succeeds) delimiters balance; an error points inside the
//! text. Lifting through the `expr` and `rocket-request` harnesses must keep the text's
//! lines and columns (see `common.rs`).
#![no_main]

#[path = "common.rs"]
mod common;

use corral_rust::harness;
use libfuzzer_sys::fuzz_target;
use serde_json::Map;

fuzz_target!(|src: &str| {
    match harness::fuzz_tokenize(src) {
        Err(at) => assert!(at <= src.len(), "error at {at} past the end {}", src.len()),
        Ok(tokens) => {
            let mut end = 0;
            let mut open = Vec::new();
            for (span, kind) in &tokens {
                assert!(
                    span.start >= end,
                    "token {span:?} overlaps the previous one"
                );
                assert!(
                    span.start < span.end && span.end <= src.len(),
                    "bad span {span:?}"
                );
                assert!(
                    src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
                    "span {span:?} splits a character"
                );
                end = span.end;
                let text = &src[span.clone()];
                if kind.starts_with("Open") {
                    open.push(text);
                } else if kind.starts_with("Close") {
                    let o = open.pop().expect("a close without an open was accepted");
                    let pair = matches!((o, text), ("(", ")") | ("[", "]") | ("{", "}"));
                    assert!(pair, "{o} closed by {text}");
                }
            }
            assert!(open.is_empty(), "unclosed {open:?} accepted");
        }
    }
    for id in ["expr", "rocket-request", "test"] {
        let h = harness::find(id).expect("built-in harness");
        common::check_harness(h, src, &Map::new());
    }
});
