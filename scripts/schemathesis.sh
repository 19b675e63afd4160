#!/usr/bin/env bash
# Schema-driven fuzzing of the native API: schemathesis generates requests from
# /api/openapi.json against a real `corral serve` on loopback. Any 5xx answer fails.
#
#   scripts/schemathesis.sh [EXAMPLES_PER_OPERATION]
#
# Default 100 examples per operation (ST_EXAMPLES), at most ST_SECONDS (300) in all.
# Uses $SCHEMATHESIS, else `schemathesis` on PATH, else the venv .ci/run makes.
# The rate limit is raised (a 429 is not what this looks for); one request at a time,
# so the queue never answers 503 either: every 5xx is a bug.
set -euo pipefail
cd "$(dirname "$0")/.."

examples=${1:-${ST_EXAMPLES:-100}}
seconds=${ST_SECONDS:-300}
corral=${CORRAL_BIN:-$PWD/target/debug/corral}
st=${SCHEMATHESIS:-}
if [ -z "$st" ]; then
  if command -v schemathesis >/dev/null; then
    st=schemathesis
  else
    st=${CORRAL_CI_TOOLS:-$HOME/.cache/corral-ci}/venv/bin/schemathesis
  fi
fi
[ -x "$st" ] || command -v "$st" >/dev/null || {
  echo "FAIL: schemathesis is not installed (.ci/run installs it)" >&2
  exit 1
}

work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/corral.toml" <<'TOML'
[server]
workers = 2
rate_per_minute = 1000000
rate_burst = 1000000
TOML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$corral" serve --listen "127.0.0.1:$port" --data-dir "$work/data" --config "$work/corral.toml" \
  >"$work/server.log" 2>&1 &
server=$!
ready() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$base/healthz" 2>/dev/null; }
for _ in $(seq 600); do
  ready && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; echo "FAIL: corral serve exited" >&2; exit 1; }
  sleep 0.5
done
ready || { echo "FAIL: corral serve not ready after 300 s" >&2; exit 1; }

echo "schemathesis: $base/api/openapi.json, $examples examples per operation, ${seconds}s at most" >&2
status=0
# From the scratch dir: schemathesis keeps its example database in the working dir.
(cd "$work" && exec timeout --signal=INT --kill-after=20 "$seconds" "$st" run "$base/api/openapi.json" \
  --url "$base" \
  --checks not_a_server_error \
  --max-examples "$examples" \
  --workers 1 \
  --request-timeout 120 \
  --seed "${ST_SEED:-$RANDOM}" \
  --no-color \
  --report har --report-har-path "$work/run.har" \
  >"$work/st.log" 2>&1) || status=$?
tail -n 40 "$work/st.log"

# The answers by status, from the recorded exchanges.
python3 - "$work/run.har" <<'PY' || true
import collections, json, sys
try:
    entries = json.load(open(sys.argv[1]))["log"]["entries"]
except Exception as e:
    print(f"schemathesis: no HAR report ({e})"); sys.exit(0)
counts = collections.Counter(e["response"]["status"] for e in entries)
print(f"schemathesis: {len(entries)} requests; by status: " +
      ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
bad = [e for e in entries if e["response"]["status"] >= 500]
for e in bad[:5]:
    r = e["request"]
    print(f"  5xx: {e['response']['status']} {r['method']} {r['url']} {r.get('postData', {}).get('text', '')[:300]!r}")
sys.exit(1 if bad else 0)
PY
fives=$(python3 -c 'import json,sys
try: print(sum(e["response"]["status"]>=500 for e in json.load(open(sys.argv[1]))["log"]["entries"]))
except Exception: print(-1)' "$work/run.har")
if ! kill -0 "$server" 2>/dev/null; then
  echo "FAIL: corral serve died during the run" >&2
  tail -n 30 "$work/server.log" >&2
  exit 1
fi
if [ "$status" = 124 ] || [ "$status" = 130 ]; then
  echo "note: schemathesis stopped at the ${seconds}s bound" >&2
elif [ "$status" != 0 ]; then
  echo "FAIL: schemathesis found failures (exit $status)" >&2
  exit 1
fi
if [ "$fives" != 0 ]; then
  echo "FAIL: $fives answers were 5xx" >&2
  exit 1
fi
echo "schemathesis: no 5xx"
