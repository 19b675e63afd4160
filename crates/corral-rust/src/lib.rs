//! corral-rust: turns a Rust request into sandboxed steps (compile with rustc, run the
//! program) and their results, with toolchains, baked crates and harnesses.
//!
//! **Architecture invariant:** knows nothing about HTTP; every step it runs goes
//! through `corral-sandbox`.

pub mod bake;
pub mod config;
pub mod diagnostics;
pub mod harness;
pub mod pipeline;
pub mod plan;
pub mod request;
pub mod result;
pub mod toolchain;
pub mod tools;
mod workdir;
