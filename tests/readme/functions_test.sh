#!/usr/bin/env bash
# The README's "Your own functions" section, walked as written against a fresh `fanout dev`: the
# Lambda tutorial's bash function created, invoked, fanned out over 1,000 items and updated.
source tests/readme/walk.sh

check_line() {
  case "$1" in
    *'function create'*) expect "function echo version 1" "$1" ;;
    *'invoke echo'*) expect '{"echo": {"hello":"world"}}' "$1" ;;
    *'range:1-1000 --wait'*) expect "job-2 succeeded" "$1"; expect "1000 succeeded" "$1" ;;
    *'results job-2'*)
      expect '{"attempts":1,"item":1,"result":{"echo":1},"state":"succeeded"}' "$1"
      [ "$(grep -c . <<<"$out")" -eq 3 ] || fail "expected 3 lines from: $1" ;;
    *'function update'*) expect "function echo version 2" "$1"; expect "256 MB" "$1" ;;
  esac
}
serve "bin/fanout dev --workers=2"  # the section runs against one, as its text says
walk "Your own functions"
# "jobs already submitted keep version 1"
run "bin/fanout list"
expect "echo:1" "bin/fanout list"
echo "readme walk: the functions section ran as written"
