#!/usr/bin/env bash
# Cluster mode, measured in one run (issue: cluster mode on NATS JetStream):
#  1. the queue hop's added latency: an uncached hello world through `corral serve`
#     (in-process queue) against `corral serve --cluster … --workers 2` (one local
#     worker over a one-node NATS), interleaved, medians (goal: at most 5 ms more);
#  2. throughput of uncached hello worlds with 1 and 2 worker processes (2 slots each)
#     behind one API node, 4 clients at once.
# Usage: bench/cluster.sh [RUNS] [JOBS]   (needs nats-server, python3, a bake)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-21}"; jobs="${2:-24}"
command -v nats-server >/dev/null || { echo "nats-server is missing (apt-get install nats-server)" >&2; exit 1; }
cargo build --release -q -p corral
corral="$PWD/target/release/corral"
data="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; sleep 1; rm -rf "$data"' EXIT
port=$((30000 + RANDOM % 20000))
nats="nats://127.0.0.1:$port"
printf '[server]\nrate_per_minute = 0\nqueue = 1024\n' > "$data/corral.toml"
nats-server -a 127.0.0.1 -p "$port" -js -sd "$data/nats" >"$data/nats.log" 2>&1 &
"$corral" serve --listen 127.0.0.1:$((port + 1)) --data-dir "$data/local" --config "$data/corral.toml" 2>/dev/null &
"$corral" serve --listen 127.0.0.1:$((port + 2)) --data-dir "$data/api" --config "$data/corral.toml" --cluster "$nats" --workers 2 2>/dev/null &
for _ in $(seq 300); do
  curl -sf localhost:$((port + 1))/healthz >/dev/null && curl -sf localhost:$((port + 2))/healthz >/dev/null && break
  sleep 0.2
done
python3 - "$port" "$runs" <<'PY'
import json, sys, time, urllib.request
port, runs = int(sys.argv[1]), int(sys.argv[2])
def run(p, src):
    req = urllib.request.Request(f"http://127.0.0.1:{p}/api/v1/run", json.dumps({"code": src}).encode(), {"Content-Type": "application/json"})
    t = time.perf_counter(); out = json.load(urllib.request.urlopen(req)); took = time.perf_counter() - t
    assert out["status"] == "success" and not out["cached"], out
    return took
t = {port + 1: [], port + 2: []}
for i in range(runs):
    for p in (port + 1, port + 2) if i % 2 == 0 else (port + 2, port + 1):
        t[p].append(run(p, f'fn main() {{ println!("hop {i} {p} {time.time_ns()}"); }}\n'))
med = lambda v: sorted(v)[len(v) // 2] * 1000
a, b = med(t[port + 1]), med(t[port + 2])
print(f"queue hop: in-process {a:.1f} ms, cluster (local worker) {b:.1f} ms: +{b - a:.1f} ms (medians of {runs}; goal <= +5 ms)")
PY
# Throughput: an API node with no local worker, then 1 and 2 worker processes.
"$corral" serve --listen 127.0.0.1:$((port + 3)) --data-dir "$data/api2" --config "$data/corral.toml" --cluster "$nats" 2>/dev/null &
kill %3 2>/dev/null || true   # the API node with the local worker goes: only the workers below serve
"$corral" worker --data-dir "$data/w1" --cluster "$nats" --workers 2 --id bench-w1 2>/dev/null &
for _ in $(seq 300); do curl -sf localhost:$((port + 3))/healthz >/dev/null && break; sleep 0.2; done
sleep 12   # the stopped API node's local worker leaves the registry
throughput() {
python3 - "$port" "$jobs" "$1" <<'PY'
import json, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
port, jobs, label = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def run(i):
    src = f'fn main() {{ println!("tp {label} {i} {time.time_ns()}"); }}\n'
    req = urllib.request.Request(f"http://127.0.0.1:{port + 3}/api/v1/run", json.dumps({"code": src}).encode(), {"Content-Type": "application/json"})
    out = json.load(urllib.request.urlopen(req, timeout=300)); assert out["status"] == "success", out
t = time.perf_counter()
with ThreadPoolExecutor(4) as pool: list(pool.map(run, range(jobs)))
took = time.perf_counter() - t
print(f"throughput with {label}: {jobs / took:.2f} uncached runs/s ({jobs} runs in {took:.1f} s, 4 clients)")
PY
}
throughput "1 worker"
"$corral" worker --data-dir "$data/w2" --cluster "$nats" --workers 2 --id bench-w2 2>/dev/null &
sleep 6
throughput "2 workers"
