#!/usr/bin/env bash
# Runs every fuzz harness for SECONDS (default 60) from its seed corpus, after building them with
# clang's libFuzzer and sanitizers (--config=fuzz, in an output base of its own). Prints the
# executions of each; exits 1 if any harness found a crash, leak or hang (the input that did it is
# kept under $FANOUT_FUZZ_OUT, default /tmp/fanout-fuzz, to become a corpus file and a test).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
out="${FANOUT_FUZZ_OUT:-/tmp/fanout-fuzz}"
base="$HOME/.cache/fanout-bazel-fuzz"
mapfile -t harnesses < <(sed -n 's/^    name = "\(.*_fuzzer\)",$/\1/p' fuzz/BUILD.bazel)
bazel --output_base="$base" build --config=fuzz --show_progress_rate_limit=30 \
  "${harnesses[@]/#/\/\/fuzz:}"
bin="$(bazel --output_base="$base" info --config=fuzz bazel-bin 2>/dev/null)/fuzz"
mkdir -p "$out"
failed=0
printf '%-24s %12s %10s  %s\n' harness executions per-second result
for h in "${harnesses[@]}"; do
  work="$out/$h"
  rm -rf "$work" && mkdir -p "$work/corpus"
  set +e
  "$bin/$h" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$work/" "$work/corpus" "fuzz/corpus/$h" >"$work/log" 2>&1
  code=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  result=clean
  if [ "$code" -ne 0 ]; then
    result="FOUND: see $work/log and $work/crash-* / leak-* / timeout-*"
    failed=1
  fi
  printf '%-24s %12s %10s  %s\n' "$h" "${execs:-?}" "$(( ${execs:-0} / seconds ))" "$result"
done
exit "$failed"
