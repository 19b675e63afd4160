#!/usr/bin/env bash
# Runs each cargo-fuzz target (fuzz/) for a bounded time and fails on the first crash,
# panic, hang or out-of-memory. Needs the nightly toolchain and cargo-fuzz (.ci/run
# installs both).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Default 30 s per target (FUZZ_SECONDS overrides too). The corpus grows in
# fuzz/corpus/<target> (not committed) from the seeds in fuzz/seeds/<target>; a crash
# leaves its input in fuzz/artifacts/<target>/ and the command to replay it is printed.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${1:-${FUZZ_SECONDS:-30}}
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(request harness_lexer harness_args vtime_decode)

# No sanitizer: the code under test is safe Rust, and panics are what we look for;
# debug assertions on, so that arithmetic overflow panics too.
opts=(--sanitizer none --debug-assertions)
build_log=$(mktemp)
start=$SECONDS
if ! cargo +nightly fuzz build "${opts[@]}" >"$build_log" 2>&1; then
  tail -n 40 "$build_log" >&2
  echo "FAIL: the fuzz targets do not build" >&2
  exit 1
fi
rm -f "$build_log"
echo "fuzz: targets built in $((SECONDS - start))s" >&2

dict_for() {
  case "$1" in
    request) echo "-dict=dict/request.dict" ;;
    harness_lexer | harness_args) echo "-dict=dict/rust.dict" ;;
  esac
}

summary=()
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  seeds=()
  [ -d "seeds/$t" ] && seeds=("seeds/$t")
  log=$(mktemp)
  echo "fuzz: $t for ${seconds}s" >&2
  # -timeout: one input taking over 10 s is a hang (a failure); -rss_limit_mb: an
  # input needing over 2 GB is a failure.
  # shellcheck disable=SC2046
  if ! cargo +nightly fuzz run "${opts[@]}" "$t" "corpus/$t" "${seeds[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    $(dict_for "$t") >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "FAIL: fuzz target $t crashed; the input is in fuzz/artifacts/$t/ (replay: cd fuzz && cargo +nightly fuzz run -s none -a $t <file>)" >&2
    rm -f "$log"
    exit 1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
  corpus=$(find "corpus/$t" -type f | wc -l)
  summary+=("$(printf '%-14s %10s execs %8s/s  cov %5s  corpus %5s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$corpus")")
  rm -f "$log"
done
echo "fuzz: no crash in ${#targets[@]} targets, ${seconds}s each:"
printf '  %s\n' "${summary[@]}"
