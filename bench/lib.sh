# Shared helpers of the bench/ scripts; source it from the project's root:
#   . bench/lib.sh
# Their measuring half is bench/lib.py.

# The bubblewrap command every start-up comparison uses: about what `corral exec`
# builds (read-only /usr, private /proc, /dev, /tmp, every namespace unshared).
BWRAP_TRUE="bwrap --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin --proc /proc --dev /dev --tmpfs /tmp --unshare-all --die-with-parent --new-session /bin/true"

# The scripts' Python imports bench/lib.py: no __pycache__ in the tree.
export PYTHONDONTWRITEBYTECODE=1

# The stable toolchain's own rustc (not the rustup proxy): the bare baseline.
STABLE_RUSTC="${STABLE_RUSTC:-$HOME/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/rustc}"

# Builds the release binary and sets CORRAL to its path.
bench_build() {
  cargo build --release -q -p corral
  CORRAL="$PWD/target/release/corral"
}

# A free TCP port on 127.0.0.1 (asked of the kernel, then released).
bench_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until every URL answers 2xx (60 s at most).
bench_wait_http() {
  local url ok
  for _ in $(seq 300); do
    ok=1
    for url in "$@"; do curl -sf "$url" >/dev/null || { ok=0; break; }; done
    [ "$ok" = 1 ] && return 0
    sleep 0.2
  done
  echo "no answer from $*" >&2
  return 1
}

# bench_serve DATA_DIR PORT [SERVER_TOML_LINES...]: starts `corral serve` on
# 127.0.0.1:PORT with DATA_DIR/c.toml holding `[server]`, `rate_per_minute = 0` and the
# given lines, its log in DATA_DIR/serve.log; waits for /healthz; sets SERVER_PID.
bench_serve() {
  local data="$1" port="$2"
  shift 2
  mkdir -p "$data"
  { printf '[server]\nrate_per_minute = 0\n'; printf '%s\n' "$@"; } >"$data/c.toml"
  "$CORRAL" serve --listen "127.0.0.1:$port" --data-dir "$data" --config "$data/c.toml" >"$data/serve.log" 2>&1 &
  SERVER_PID=$!
  bench_wait_http "http://127.0.0.1:$port/healthz" || { tail -20 "$data/serve.log" >&2; return 1; }
}

# Stops a server started by bench_serve (or any pid of ours) and waits for it.
bench_stop() {
  [ -n "${1:-}" ] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
