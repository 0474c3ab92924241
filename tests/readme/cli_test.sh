#!/usr/bin/env bash
# The README's CLI section, walked as written (tests/readme/walk.sh), checking what its comments
# say: the 10,000 noop tasks, one result per file below docs/, the ended job's cancel, the help.
source tests/readme/walk.sh

check_line() {
  case "$1" in
    *'range:0-9999 --wait'*) expect "10000 succeeded" "$1" ;;
    *'status job-3 --json'*) expect '"state":"succeeded"' "$1" ;;
    *'results job-3'*)
      files=$(find docs -type f | wc -l)
      [ "$files" -gt 0 ] || fail "no files below docs/ to hash"
      [ "$(grep -c '"state":"succeeded"' <<<"$out")" -eq "$files" ] ||
        fail "results job-3: expected $files succeeded items (docs/): $out" ;;
    *'cancel job-3'*) expect "had already ended (succeeded): nothing to cancel" "$1" ;;
    *' list'*) expect "job-3" "$1" ;;
    *'workers'*) expect "2 live workers" "$1" ;;
    *'help'*) expect "Exit codes:" "$1" ;;
  esac
}
walk "CLI"
echo "readme walk: the CLI section ran as written"
