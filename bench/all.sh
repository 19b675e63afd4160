#!/usr/bin/env bash
# Every benchmark in one run (issue 16), each row a ratio against a baseline measured in
# the same run (hyperfine medians, or medians of interleaved pairs), with its goal:
#  1. `corral exec -- /bin/true` vs bubblewrap (hyperfine)                        < 1.0
#  2. a /bin/true step in a pooled jail (crates/corral-sandbox/examples/jail_start.rs)
#     vs bubblewrap's median of row 1                                             <= 0.5
#  3. hello world: `corral run h.rs` vs `rustc --edition 2024 h.rs -o h && ./h`   <= 0.9
#  4. uncached hello world through POST /api/v1/run vs bare rustc + run           <= 0.9
#  5. the Rocket guide's first app through the rocket-request harness (uncached) vs
#     `cargo build` after `touch src/main.rs`, same Rocket, dependencies built    <= 0.15
#  6. saturation: uncached hello worlds per second, 4 API clients vs 2 lanes of
#     bare rustc + run                                                            >= 0.9
#  7. memoized requests per second (wrk -t1 -c32) vs Rocket's own hello world      info
#  8. the server's memory: VmRSS idle after start, VmHWM after rows 4-7            info
# Rows 5 and 7 use a cargo project in bench/.cache/rocket-hello (Rocket's version and
# lockfile from vetted/), built the first time (minutes).
#
#   bench/all.sh [--quick] [--out FILE]
#
# --quick: few runs per row (CI: about 2 minutes once built; Rocket's hello world is
# then its debug build); --out FILE: the table as Markdown too. Exit status: 1 when a
# row failed, 3 when a goal was missed (not with --quick), else 0. Root (cgroups);
# needs hyperfine, bubblewrap, python3, curl, and wrk (else a slower Python loop).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
quick=() out=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick) ;;
    --out) out=(--out "$(realpath -m "$2")"); shift ;;
    *) echo "usage: bench/all.sh [--quick] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
for tool in hyperfine bwrap python3 curl; do
  command -v "$tool" >/dev/null || { echo "bench/all.sh needs $tool" >&2; exit 1; }
done

bench_build
cargo build --release -q -p corral-sandbox --example jail_start

# Rocket's hello world as a cargo project: the Rocket guide's app, vetted/'s Rocket
# dependency line and lockfile (so every version is the one corral's users get).
rocket_dir="$PWD/bench/.cache/rocket-hello"
mkdir -p "$rocket_dir/src"
tmp_app="$(mktemp)"
manifest="$(printf '[package]\nname = "rocket-hello"\nversion = "0.1.0"\nedition = "2024"\npublish = false\n\n[workspace]\n\n[dependencies]\n%s\n' \
  "$(grep -E '^rocket = ' vetted/Cargo.toml)")"
[ "$(cat "$rocket_dir/Cargo.toml" 2>/dev/null)" = "$manifest" ] || printf '%s\n' "$manifest" >"$rocket_dir/Cargo.toml"
if ! cmp -s vetted/Cargo.lock "$rocket_dir/vetted.lock"; then
  cp vetted/Cargo.lock "$rocket_dir/Cargo.lock"
  cp vetted/Cargo.lock "$rocket_dir/vetted.lock"
fi
cat >"$tmp_app" <<'RS'
#[macro_use]
extern crate rocket;

#[get("/")]
fn index() -> &'static str {
    "Hello, world!"
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![index])
}
RS
cmp -s "$tmp_app" "$rocket_dir/src/main.rs" || cp "$tmp_app" "$rocket_dir/src/main.rs"
rm -f "$tmp_app"
rocket_build=release
if [ ${#quick[@]} -gt 0 ]; then rocket_build=debug; fi
echo "building bench/.cache/rocket-hello (debug$([ $rocket_build = release ] && echo ' and release'); minutes the first time)" >&2
(
  cd "$rocket_dir"
  unset CARGO_TARGET_DIR
  export RUSTUP_TOOLCHAIN=stable
  cargo build -q
  [ $rocket_build = debug ] || cargo build -q --release
  # The lockfile keeps vetted/'s versions (cargo only drops what this project does not use).
  [ "$(grep -A1 '^name = "rocket"$' Cargo.lock)" = "$(grep -A1 '^name = "rocket"$' "$OLDPWD/vetted/Cargo.lock")" ] ||
    { echo "bench/.cache/rocket-hello does not build vetted/'s Rocket" >&2; exit 1; }
)

tmp="$(mktemp -d)"
SERVER_PID='' rocket_pid=''
trap 'bench_stop "$SERVER_PID"; bench_stop "$rocket_pid"; rm -rf "$tmp"' EXIT
port=$(bench_port)
bench_serve "$tmp/data" "$port"
rocket_port=$(bench_port)
# vetted/'s Rocket has the `secrets` feature: a release build refuses to start without a key.
ROCKET_SECRET_KEY="$(head -c 32 /dev/urandom | base64)" ROCKET_PORT=$rocket_port ROCKET_LOG_LEVEL=off \
  "$rocket_dir/target/$rocket_build/rocket-hello" >"$tmp/rocket.log" 2>&1 &
rocket_pid=$!
bench_wait_http "http://127.0.0.1:$rocket_port/" || { tail -20 "$tmp/rocket.log" >&2; exit 1; }

python3 bench/all.py "${quick[@]}" "${out[@]}" --corral "$CORRAL" \
  --jail-start "$PWD/target/release/examples/jail_start" --bwrap "$BWRAP_TRUE" \
  --port "$port" --server-pid "$SERVER_PID" --rocket-dir "$rocket_dir" \
  --rocket-port "$rocket_port" --rocket-build "$rocket_build" --tmp "$tmp"
