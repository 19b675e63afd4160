#!/usr/bin/env bash
# mdBook's runnable examples on a real corral (web/test-mdbook/): installs the pinned
# mdbook from crates.io into the CI tools cache once (about two minutes cold on two
# cores, a no-op after), then builds a small book after `corral mdbook`, serves it and
# clicks its Run buttons in headless Chromium against `corral serve`. As root (CI)
# anything missing is a failure; otherwise it prints `SKIP: <reason>` and passes.
set -euo pipefail
cd "$(dirname "$0")/.."

MDBOOK_VERSION=0.5.4
tools=${CORRAL_CI_TOOLS:-$HOME/.cache/corral-ci}
mdbook=$tools/mdbook/bin/mdbook
corral=${CORRAL_BIN:-$PWD/target/debug/corral}
mode=optional
[ "$(id -u)" = 0 ] && mode=require

missing() {
  if [ "$mode" = require ]; then
    echo "the mdBook test cannot run: $*" >&2
    exit 1
  fi
  echo "SKIP: $* (the mdBook test is not run)" >&2
  exit 0
}

command -v node >/dev/null || missing "node is not installed"
[ -d web/node_modules/playwright-core ] || missing "playwright-core is not installed (cd web && npm ci)"
[ -x "$corral" ] || missing "no corral binary at $corral (cargo build -p corral)"

# Only what renders a book, without `mdbook serve` and `watch` (the test serves the book
# itself): 123 crates to compile instead of 190.
if [ "$("$mdbook" --version 2>/dev/null)" != "mdbook v$MDBOOK_VERSION" ]; then
  command -v cargo >/dev/null || missing "cargo is not installed, so mdbook cannot be"
  echo "installing mdbook $MDBOOK_VERSION into $tools/mdbook (once)" >&2
  if ! timeout 900 cargo install mdbook --locked --version "$MDBOOK_VERSION" \
    --no-default-features --features search --root "$tools/mdbook" --quiet; then
    missing "cargo install mdbook $MDBOOK_VERSION failed"
  fi
fi

CORRAL_BIN="$corral" MDBOOK="$mdbook" CORRAL_PAGE_TESTS=$mode node --test web/test-mdbook/
