#!/usr/bin/env bash
# Every check of the project: format, lints, then the tests (unit, exec end to end,
# and the attack suite as root and as an unprivileged user).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo build --workspace
cargo test --workspace
