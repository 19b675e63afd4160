#!/usr/bin/env bash
# Every check of the project: format, lints, the vetted crates baked (the tests of
# `corral run` use them), then the tests: unit, exec and run end to end, and the
# attack suite as root and as an unprivileged user; then the page's assets rebuilt
# from web/'s lockfile and its browser tests in headless Chromium; then robustness,
# bounded in time (about 6 minutes): the fuzz targets (FUZZ_SECONDS each), schemathesis
# against a real server (no 5xx), and a saturation soak (SOAK_SECONDS).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo build --workspace
# The only step that uses the network (crates.io), then builds offline in the sandbox;
# a no-op when nothing changed.
target/debug/corral bake
cargo test --workspace

# The page (web/): the assets embedded in the binary must be what the lockfile builds.
# Compared with the tree's web/dist, which in a clean checkout is the committed one.
if command -v npm >/dev/null; then
  dist_before=$(mktemp -d)
  trap 'rm -rf "$dist_before"' EXIT
  cp -r web/dist/. "$dist_before"
  (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run build --silent)
  if ! diff -r "$dist_before" web/dist >/dev/null; then
    echo "web/dist differs from what \`cd web && npm ci && npm run build\` makes; commit the rebuilt assets:" >&2
    diff -r "$dist_before" web/dist | head -c 2000 >&2 || true
    git diff --stat -- web/dist >&2 || true
    exit 1
  fi
  # Browser tests against a real `corral serve`; as root (CI) Chromium must be there.
  page_mode=optional
  [ "$(id -u)" = 0 ] && page_mode=require
  CORRAL_BIN="$PWD/target/debug/corral" CORRAL_PAGE_TESTS=$page_mode node --test web/test/
  bash scripts/frontend-test.sh # the Rust Playground's own frontend against corral
else
  echo "SKIP: npm is not installed: the page's assets are not rebuilt, its browser tests not run" >&2
fi

bash scripts/mdbook-test.sh
if [ "$(id -u)" = 0 ]; then bash bench/all.sh --quick; fi  # every benchmark, briefly (fails only if a row errors)
# Robustness. Fuzzing needs nightly and cargo-fuzz, schemathesis its venv (.ci/run
# installs them); without them (a developer's machine) the steps say SKIP.
if command -v cargo-fuzz >/dev/null && rustup run nightly rustc --version >/dev/null 2>&1; then
  bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
else
  echo "SKIP: cargo-fuzz or the nightly toolchain is missing: the fuzz targets are not run" >&2
fi
if [ -n "${SCHEMATHESIS:-}" ] || command -v schemathesis >/dev/null; then
  bash scripts/schemathesis.sh "${ST_EXAMPLES:-100}"
else
  echo "SKIP: schemathesis is not installed: the API is not fuzzed from its schema" >&2
fi
# The soak needs the sandbox with cgroups (root) to say anything about leftovers.
if [ "$(id -u)" = 0 ]; then
  python3 scripts/soak.py --seconds "${SOAK_SECONDS:-90}" --clients 12 --corral target/debug/corral
else
  echo "SKIP: not root: no saturation soak" >&2
fi
