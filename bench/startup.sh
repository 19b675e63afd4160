#!/usr/bin/env bash
# Start-up cost of `corral exec -- /bin/true` against bare /bin/true and bubblewrap,
# measured in one run with hyperfine (medians over many runs), printed as ratios.
# Usage: bench/startup.sh [RUNS]   (needs hyperfine and bubblewrap; run as root for cgroups)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
runs="${1:-300}"
bench_build
python3 - "$runs" "$CORRAL" "$BWRAP_TRUE" <<'PY'
import sys
sys.path.insert(0, "bench")
import lib
runs, corral, bwrap = int(sys.argv[1]), sys.argv[2], sys.argv[3]
res = lib.hyperfine({"bare": "/bin/true", "bwrap": bwrap, "corral": f"{corral} exec -- /bin/true"}, runs, 20, shell=False)
med = {k: v["median"] * 1000 for k, v in res.items()}
print(f"startup medians over {res['bare']['runs']} runs each:")
for k in ("bare", "bwrap", "corral"):
    print(f"  {k:<7} {med[k]:8.3f} ms")
print(f"corral / bare  = {med['corral'] / med['bare']:6.2f}x")
print(f"bwrap  / bare  = {med['bwrap'] / med['bare']:6.2f}x")
print(f"corral / bwrap = {med['corral'] / med['bwrap']:6.2f}x  (goal: below 1.00 while also doing cgroups, seccomp, Landlock)")
PY
