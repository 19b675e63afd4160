#!/usr/bin/env bash
# The HTTP API, measured in one run (issue 4):
#  1. memoized POST /api/v1/run with wrk -t1 -c32 (goal: >= 10,000 requests/s on 2 cores,
#     the load generator included), against Rocket's own hello world as the ceiling;
#  2. an uncached hello world end to end (a unique source per request) against bare
#     rustc + run of the same program (goal: within 15%).
# Usage: bench/api.sh [SECONDS] [UNCACHED_RUNS]   (needs wrk, python3, a bake)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
secs="${1:-10}"; runs="${2:-20}"
bench_build
cargo build --release -q -p corral-server --example hello
data="$(mktemp -d)"
SERVER_PID='' hello_pid=''
trap 'bench_stop "$SERVER_PID"; bench_stop "$hello_pid"; rm -rf "$data"' EXIT
port=$(bench_port) hello_port=$(bench_port)
bench_serve "$data" "$port" 'queue = 1024'
ROCKET_PORT=$hello_port target/release/examples/hello >/dev/null 2>&1 &
hello_pid=$!
bench_wait_http "http://127.0.0.1:$hello_port/"
python3 - "$data" "$port" "$hello_port" "$secs" "$runs" <<'PY'
import json, sys
sys.path.insert(0, "bench")
import lib
data, port, hello_port, secs, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
code = 'fn main() { println!("hello"); }'
lib.api_run(port, code, cached=None)
print(f"== memoized POST /api/v1/run, wrk -t1 -c32 -d{secs}s; Rocket's hello world (ceiling), the same")
memo, tool = lib.wrk_rps(f"http://127.0.0.1:{port}/api/v1/run", secs, body=json.dumps({"code": code}))
hello, _ = lib.wrk_rps(f"http://127.0.0.1:{hello_port}/", secs)
print(f"memoized: {memo:,.0f} req/s = {memo / hello:.2f} of Rocket's hello world ({hello:,.0f} req/s; {tool}); goal 10,000 req/s")
flags = ("-C", "opt-level=0", "-C", "debuginfo=0")
api, bare = [], []
for i in range(runs):
    api.append(lib.api_run(port, lib.hello(f"api {i}"))[0])
    bare.append(lib.bare_run(lib.hello(f"bare {i}"), data, f"bare{i}", flags=flags))
a, b = lib.median(api) * 1000, lib.median(bare) * 1000
print(f"uncached hello world: corral API {a:.1f} ms, bare rustc + run {b:.1f} ms (medians of {runs}); ratio {a / b:.2f} (goal <= 1.15)")
PY
