//! The request parsers: any bytes as the JSON body of the native API's run and tool
//! routes and of the Rust Playground's routes. Deserialising and validating must never
//! panic; a valid run request's file names are clean, and its harness holds its promises
//! for its code and arguments (see `common.rs`).
#![no_main]

#[path = "common.rs"]
mod common;

use corral_rust::harness;
use corral_rust::request::{normalise_source, validate_file_name};
use corral_server::api::RunRequest;
use corral_server::routes::playground::wire as pg;
use corral_server::routes::tools;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<tools::ToolRequest>(data);
    let _ = serde_json::from_slice::<pg::ExecuteIn>(data);
    let _ = serde_json::from_slice::<pg::CompileIn>(data);
    let _ = serde_json::from_slice::<pg::FormatIn>(data);
    let _ = serde_json::from_slice::<pg::ClippyIn>(data);
    let _ = serde_json::from_slice::<pg::MiriIn>(data);
    let _ = serde_json::from_slice::<pg::MacroExpansionIn>(data);
    let _ = serde_json::from_slice::<pg::EvaluateIn>(data);
    let _ = serde_json::from_slice::<pg::GistIn>(data);

    let Ok(run) = serde_json::from_slice::<RunRequest>(data) else {
        return;
    };
    let Ok(req) = run.into_request() else {
        return;
    };
    for (name, _) in &req.extra_files {
        if validate_file_name(name).is_ok() {
            assert!(
                !name.starts_with('/')
                    && !name.contains('\0')
                    && name
                        .split('/')
                        .all(|p| !p.is_empty() && p != "." && p != ".."),
                "file name {name:?} accepted"
            );
        }
    }
    let code = normalise_source(&req.code);
    assert!(!code.starts_with("\u{feff}") || req.code.starts_with("\u{feff}\u{feff}"));
    if let Some(h) = harness::find(&req.harness) {
        common::check_harness(h, &req.code, &req.args);
    }
});
