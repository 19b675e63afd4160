//! The harness argument parser: any JSON object as the arguments of each built-in
//! harness (the first byte picks the harness, the rest is the object, then a stub after
//! a NUL byte, if any). See `common.rs` for what must hold.
#![no_main]

#[path = "common.rs"]
mod common;

use corral_rust::harness;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

const STUB: &str = "#![allow(unused)]\nuse rocket::get;\n#[get(\"/\")]\nfn index() -> &'static str { \"hi\" }\nfn rocket() -> rocket::Rocket<rocket::Build> { rocket::build() }\n";

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let all = harness::builtin();
    let h = &all[usize::from(pick) % all.len()];
    let (json, stub) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (
            &rest[..i],
            std::str::from_utf8(&rest[i + 1..]).unwrap_or(STUB),
        ),
        None => (rest, STUB),
    };
    let Ok(args) = serde_json::from_slice::<Map<String, Value>>(json) else {
        return;
    };
    common::check_harness(h, stub, &args);
});
