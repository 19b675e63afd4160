#!/usr/bin/env bash
# The long saturation soak: scripts/soak.py for SECONDS (default 15 minutes) with
# CLIENTS concurrent clients (default 16) against the release build. Prints the
# answers by status, the run outcomes and the server's RSS every second; fails on an
# answer other than 200/429/503, RSS growth, or anything left behind. Root (cgroups).
#
#   bench/soak.sh [SECONDS] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-900}
clients=${2:-16}
cargo build --release -p corral >/dev/null
exec python3 scripts/soak.py --seconds "$seconds" --clients "$clients" \
  --corral target/release/corral --rss-margin-mib "${RSS_MARGIN_MIB:-48}"
