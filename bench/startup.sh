#!/usr/bin/env bash
# Start-up cost of `corral exec -- /bin/true` against bare /bin/true and bubblewrap,
# measured in one run with hyperfine (medians over many runs), printed as ratios.
# Usage: bench/startup.sh [RUNS]   (needs hyperfine and bubblewrap; run as root for cgroups)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-300}"
cargo build --release -q -p corral
corral="$PWD/target/release/corral"
out="$(mktemp -d)"
bwrap_cmd="bwrap --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin --proc /proc --dev /dev --tmpfs /tmp --unshare-all --die-with-parent --new-session /bin/true"
hyperfine -N --warmup 20 --runs "$runs" --export-json "$out/startup.json" \
  -n bare "/bin/true" \
  -n bwrap "$bwrap_cmd" \
  -n corral "$corral exec -- /bin/true" >"$out/hyperfine.txt"
python3 - "$out/startup.json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] * 1000 for k, v in res.items()}
print(f"startup medians over {len(res['bare']['times'])} runs each:")
for k in ("bare", "bwrap", "corral"):
    print(f"  {k:<7} {med[k]:8.3f} ms")
print(f"corral / bare  = {med['corral'] / med['bare']:6.2f}x")
print(f"bwrap  / bare  = {med['bwrap'] / med['bare']:6.2f}x")
print(f"corral / bwrap = {med['corral'] / med['bwrap']:6.2f}x  (goal: below 1.00 while also doing cgroups, seccomp, Landlock)")
PY
