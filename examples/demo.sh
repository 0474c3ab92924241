#!/usr/bin/env bash
# The demo behind `./dev demo`: starts `fanout dev` (a coordinator and two workers in one process on
# an embedded RocksDB), fans out a SHA-256 of every file under a directory tree (default
# /usr/include), follows it with the progress bar, and prints a summary.
tree="${1:-/usr/include}"
source "$(dirname "$0")/lib.sh"  # start_fanout_dev; stops it on exit

start_fanout_dev --file_roots="$(realpath "$tree")"
grep -o 'dashboard: .*' "$work/dev.log" | sed 's/^/demo: /' || true

# One item per regular file, as a JSON list. Names with control characters are skipped: they
# cannot be passed through this shell pipeline safely.
LC_ALL=C find "$tree" -type f ! -name "*[[:cntrl:]]*" -print |
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/"/' |
  { printf '['; paste -sd, -; printf ']'; } >"$work/files.json"
count=$(grep -o '","' "$work/files.json" | wc -l)
echo "demo: hashing $((count + 1)) files under $tree, 16 files per task"

job=$(bin/fanout submit --function=builtin:sha256 --source="@$work/files.json" --batch_size=16)
echo "demo: submitted $job"
status=0
bin/fanout watch "$job" || status=$?
echo
bin/fanout status "$job"
echo
echo "demo: a few results (fanout results $job):"
bin/fanout results "$job" | head -n 3 || true  # head closes the pipe early: SIGPIPE is expected
echo
bin/fanout workers
echo
echo "demo: what it would have cost on AWS Lambda (fanout cost $job):"
bin/fanout cost "$job"
exit "$status"
