#!/usr/bin/env bash
# The HTTP API, measured in one run (issue 4):
#  1. memoized POST /api/v1/run with wrk -t1 -c32 (goal: >= 10,000 requests/s on 2 cores,
#     the load generator included), against Rocket's own hello world as the ceiling;
#  2. an uncached hello world end to end (a unique source per request) against bare
#     rustc + run of the same program (goal: within 15%).
# Usage: bench/api.sh [SECONDS] [UNCACHED_RUNS]   (needs wrk, python3, a bake)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"; runs="${2:-20}"
cargo build --release -q -p corral
cargo build --release -q -p corral-server --example hello
corral="$PWD/target/release/corral"
data="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT
printf '[server]\nrate_per_minute = 0\nqueue = 1024\n' > "$data/corral.toml"
"$corral" serve --listen 127.0.0.1:8790 --data-dir "$data" --config "$data/corral.toml" 2>/dev/null &
ROCKET_PORT=8791 target/release/examples/hello >/dev/null 2>&1 &
for _ in $(seq 300); do curl -sf localhost:8790/healthz >/dev/null && curl -sf localhost:8791/ >/dev/null && break; sleep 0.2; done
body='{"code":"fn main() { println!(\"hello\"); }"}'
curl -sf -X POST localhost:8790/api/v1/run -H 'Content-Type: application/json' -d "$body" >/dev/null
# A Lua long string: the body's backslashes reach the server as written.
cat > "$data/post.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$body]]
wrk.headers["Content-Type"] = "application/json"
LUA
echo "== memoized POST /api/v1/run, wrk -t1 -c32 -d${secs}s"
wrk -t1 -c32 -d"${secs}s" --latency -s "$data/post.lua" http://127.0.0.1:8790/api/v1/run | tee "$data/memo.txt" | grep -E "Requests/sec|Latency|50%|99%"
# A rate of error answers measures nothing: every answer must be a 200.
! grep -q "Non-2xx" "$data/memo.txt" || { echo "the memoized requests failed:" >&2; cat "$data/memo.txt" >&2; exit 1; }
echo "== Rocket hello world (ceiling), wrk -t1 -c32 -d${secs}s"
wrk -t1 -c32 -d"${secs}s" --latency http://127.0.0.1:8791/ | tee "$data/hello.txt" | grep -E "Requests/sec|Latency|50%|99%"
python3 - "$data" "$runs" "$corral" <<'PY'
import json, os, subprocess, sys, time, urllib.request
data, runs, corral = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rps = lambda f: float(next(l for l in open(f) if "Requests/sec" in l).split()[1])
memo, hello = rps(f"{data}/memo.txt"), rps(f"{data}/hello.txt")
print(f"memoized: {memo:,.0f} req/s = {memo / hello:.2f} of Rocket's hello world ({hello:,.0f} req/s); goal 10,000 req/s")
rustc = os.path.expanduser("~/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/rustc")
api, bare = [], []
for i in range(runs):
    src = f'fn main() {{ println!("hello {i} {time.time_ns()}"); }}\n'
    req = urllib.request.Request("http://127.0.0.1:8790/api/v1/run", json.dumps({"code": src}).encode(), {"Content-Type": "application/json"})
    t = time.perf_counter(); out = json.load(urllib.request.urlopen(req)); api.append(time.perf_counter() - t)
    assert out["status"] == "success" and not out["cached"], out
    path = f"{data}/bare{i}.rs"; open(path, "w").write(src.replace("hello", "bare"))
    t = time.perf_counter()
    subprocess.run([rustc, "--edition", "2024", "-C", "opt-level=0", "-C", "debuginfo=0", "-o", f"{data}/bare", path], check=True)
    subprocess.run([f"{data}/bare"], check=True, stdout=subprocess.DEVNULL); bare.append(time.perf_counter() - t)
med = lambda v: sorted(v)[len(v) // 2] * 1000
print(f"uncached hello world: corral API {med(api):.1f} ms, bare rustc + run {med(bare):.1f} ms (medians of {runs}); ratio {med(api) / med(bare):.2f} (goal <= 1.15)")
PY
