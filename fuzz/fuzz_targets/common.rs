//! Checks shared by the fuzz targets that reach the harnesses.

use corral_rust::harness::{self, Harness};
use serde_json::{Map, Value};

/// What a harness promises for any stub and arguments: validation and preparation agree,
/// the canonical arguments are a fixed point, the stub keeps every line and column (lifted
/// items become blanks), and no argument value can break out of its literal (every
/// generated file still lexes).
pub fn check_harness(h: &Harness, stub: &str, args: &Map<String, Value>) {
    let Ok(canon) = h.canonical_args(args) else {
        assert!(
            h.prepare(stub, args).is_err(),
            "{}: prepare accepted arguments that canonical_args refused",
            h.id
        );
        return;
    };
    assert_eq!(
        h.canonical_args(&canon).ok().as_ref(),
        Some(&canon),
        "{}: canonical arguments are not canonical",
        h.id
    );
    let prepared = h
        .prepare(stub, args)
        .unwrap_or_else(|e| panic!("{}: valid arguments, prepare refused: {e}", h.id));
    let again = h
        .prepare(stub, &canon)
        .expect("canonical arguments prepare");
    assert_eq!(
        prepared, again,
        "{}: canonical arguments prepare differently",
        h.id
    );

    let (_, text) = &prepared.files[0];
    if h.id != "doctest" {
        // Same bytes, or blanks where an item was lifted; line breaks never move.
        assert!(
            text.len() >= stub.len(),
            "{}: stub file shorter than the stub",
            h.id
        );
        for (i, (&a, &b)) in stub.as_bytes().iter().zip(text.as_bytes()).enumerate() {
            let kept = a == b || (b == b' ' && a != b'\n' && a != b'\r');
            assert!(
                kept,
                "{}: stub byte {i} changed from {a:#x} to {b:#x}",
                h.id
            );
        }
    }
    // The trusted files must lex whenever the stub does: lifted items are whole tokens and
    // argument values are escaped literals.
    if harness::fuzz_tokenize(stub).is_ok() {
        for (path, text) in &prepared.files[1..] {
            if let Err(at) = harness::fuzz_tokenize(text) {
                panic!(
                    "{}: generated {path} does not lex (at byte {at}):\n{text}",
                    h.id
                );
            }
        }
    }
}
