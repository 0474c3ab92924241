#!/usr/bin/env bash
# The demo behind `./dev demo`: starts `fanout dev` (a coordinator and two workers in one process on
# an embedded RocksDB), fans out a SHA-256 of every file under a directory tree (default
# /usr/include), follows it with the progress bar, and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
tree="${1:-/usr/include}"
work="$(mktemp -d)"
dev_pid=""
cleanup() {
  if [ -n "$dev_pid" ]; then kill -TERM "$dev_pid" 2>/dev/null && wait "$dev_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

bin/fanout dev --data_dir="$work/data" --listen=127.0.0.1:0 --port_file="$work/port" \
  --workers=2 --slots=4 >"$work/dev.log" 2>&1 &
dev_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/dev.log"; echo "demo: fanout dev did not start" >&2; exit 1; }
export FANOUT_COORDINATOR="127.0.0.1:$(cat "$work/port")"
echo "demo: fanout dev is up at $FANOUT_COORDINATOR"
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
