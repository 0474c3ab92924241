#!/usr/bin/env bash
# The README's "Work longer than the time limit" section, walked as written against a fresh
# `fanout dev`: a 20 s count under a 2 s limit continues from its checkpoints; a cancel stops a
# running handler; a redrive re-runs only the dead item.
source tests/readme/walk.sh

check_line() {
  case "$1" in
    *'"n": 20000'*) expect "job-1 succeeded" "$1" ;;
    *'results job-1'*)
      expect '"n":20000' "$1"
      invocations=$(grep -o '"invocations":[0-9]*' <<<"$out" | cut -d: -f2)
      [ "${invocations:-0}" -ge 5 ] || fail "expected ~10 invocations (2 s each of ~20 s): $out"
      expect '"resumed_from":\[0,' "$1" ;;
    *'"n": 1000000'*) expect "job-2" "$1" ;;
    *'cancel job-2'*)
      # "its running handler sees ctx.cancelled() within a second": its slot is free again
      expect "job-2" "$1"
      for _ in $(seq 30); do
        busy=$(bin/fanout workers)
        grep -q " 0 of 8 slots busy" <<<"$busy" && break
        sleep 0.1
      done
      grep -q " 0 of 8 slots busy" <<<"$busy" || fail "a slot still busy 3 s after the cancel: $busy"
      state=$(bin/fanout status job-2 --json)
      grep -q '"state":"cancelled"' <<<"$state" || fail "job-2 was not cancelled: $state" ;;
    *'"fail": "fatal"'*) expect "job-3 failed" "$1"; expect "1 failed" "$1" ;;
    *'redrive job-3'*) expect "redriven 1 task of job-3" "$1" ;;
  esac
}
serve "bin/fanout dev --workers=2"
walk "Work longer than the time limit"
echo "readme walk: the long-task section ran as written"
