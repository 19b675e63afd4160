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
. bench/lib.sh
runs="${1:-21}"; jobs="${2:-24}"
command -v nats-server >/dev/null || { echo "nats-server is missing (apt-get install nats-server)" >&2; exit 1; }
bench_build
corral="$CORRAL"
data="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; sleep 1; rm -rf "$data"' EXIT
port=$((30000 + RANDOM % 20000))
nats="nats://127.0.0.1:$port"
printf '[server]\nrate_per_minute = 0\nqueue = 1024\n' > "$data/corral.toml"
nats-server -a 127.0.0.1 -p "$port" -js -sd "$data/nats" >"$data/nats.log" 2>&1 &
"$corral" serve --listen 127.0.0.1:$((port + 1)) --data-dir "$data/local" --config "$data/corral.toml" 2>/dev/null &
"$corral" serve --listen 127.0.0.1:$((port + 2)) --data-dir "$data/api" --config "$data/corral.toml" --cluster "$nats" --workers 2 2>/dev/null &
bench_wait_http "http://127.0.0.1:$((port + 1))/healthz" "http://127.0.0.1:$((port + 2))/healthz"
python3 - "$port" "$runs" <<'PY'
import sys
sys.path.insert(0, "bench")
import lib
port, runs = int(sys.argv[1]), int(sys.argv[2])
local, cluster = lib.interleave(
    lambda i: lib.api_run(port + 1, lib.hello(f"hop {i} local"))[0],
    lambda i: lib.api_run(port + 2, lib.hello(f"hop {i} cluster"))[0],
    runs,
)
a, b = lib.median(local) * 1000, lib.median(cluster) * 1000
print(f"queue hop: in-process {a:.1f} ms, cluster (local worker) {b:.1f} ms: +{b - a:.1f} ms (medians of {runs}; goal <= +5 ms)")
PY
# Throughput: an API node with no local worker, then 1 and 2 worker processes.
"$corral" serve --listen 127.0.0.1:$((port + 3)) --data-dir "$data/api2" --config "$data/corral.toml" --cluster "$nats" 2>/dev/null &
kill %3 2>/dev/null || true   # the API node with the local worker goes: only the workers below serve
"$corral" worker --data-dir "$data/w1" --cluster "$nats" --workers 2 --id bench-w1 2>/dev/null &
bench_wait_http "http://127.0.0.1:$((port + 3))/healthz"
sleep 12   # the stopped API node's local worker leaves the registry
throughput() {
python3 - "$port" "$jobs" "$1" <<'PY'
import sys
sys.path.insert(0, "bench")
import lib
port, jobs, label = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
_, took = lib.throughput(lambda i: lib.api_run(port + 3, lib.hello(f"tp {label} {i}"), cached=None), jobs, 4)
print(f"throughput with {label}: {jobs / took:.2f} uncached runs/s ({jobs} runs in {took:.1f} s, 4 clients)")
PY
}
throughput "1 worker"
"$corral" worker --data-dir "$data/w2" --cluster "$nats" --workers 2 --id bench-w2 2>/dev/null &
sleep 6
throughput "2 workers"
