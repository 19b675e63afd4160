#!/usr/bin/env bash
# Every check of the project: format, lints, the vetted crates baked (the tests of
# `corral run` use them), then the tests: unit, exec and run end to end, and the
# attack suite as root and as an unprivileged user.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo build --workspace
# The only step that uses the network (crates.io), then builds offline in the sandbox;
# a no-op when nothing changed.
target/debug/corral bake
cargo test --workspace
