#!/usr/bin/env bash
# Walks the README's CLI and trigger quick starts as a newcomer would: each section's commands, as
# written, against a fresh `fanout dev` (the one its first line starts; ports made free ones), and
# checks what the README's comments say they do. Lines that start a server in the foreground or
# need what this test does not run (another dev, a standalone trigger) are checked to name files
# that exist, and skipped.
set -euo pipefail
root="$PWD"
fanout="$root/cli/fanout"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
# A checkout as a newcomer has it: real files (runfiles are symlinks, which dir: does not follow).
mkdir -p "$tmp/checkout"
cp -rL README.md docs examples "$tmp/checkout/"
cd "$tmp/checkout"
fail() { echo "readme_test: $*" >&2; exit 1; }
# The trigger's webhook, where the README says 127.0.0.1:7071.
webhook=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The ```sh block of the README section whose heading starts with $1, continuation lines joined.
block() {
  awk -v h="## $1" 'index($0, h) == 1 {f = 1; next} f && /^```sh/ {g = 1; next} g && /^```/ {exit}
                    g {print}' README.md | sed -e ':a' -e '/\\$/N; s/\\\n *//; ta'
}

start_dev() {  # $1: name, then fanout dev flags
  local name=$1 dir="$tmp/$1"; shift
  mkdir -p "$dir"
  "$fanout" dev --data_dir="$dir/data" --listen=127.0.0.1:0 --port_file="$dir/port" \
    --http_listen= "$@" >"$dir/dev.log" 2>&1 &
  dev_pid=$!
  for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
  [ -s "$dir/port" ] || { cat "$dir/dev.log"; fail "$name: fanout dev did not start"; }
  export FANOUT_COORDINATOR="127.0.0.1:$(cat "$dir/port")"
}
stop_dev() { kill -TERM "$dev_pid"; wait "$dev_pid" || true; }

# Runs one README line (bin/fanout -> the binary under test); its output goes to $out.
run() {
  local line=${1%%   #*}
  line=${line//bin\/fanout/$fanout}
  line=${line//127.0.0.1:7071/127.0.0.1:$webhook}
  echo "+ $line" >&2
  out=$(eval "$line") || fail "exit $? from: $1"$'\n'"$out"
}

expect() { grep -q -- "$1" <<<"$out" || fail "expected '$1' in the output of: $2"$'\n'"$out"; }

# --- ## CLI ---
start_dev cli --workers=2
while IFS= read -r line; do
  case "$line" in
    ''|export*) continue ;;
    'bin/fanout dev'*) continue ;;  # started above, on a free port
  esac
  run "$line"
  case "$line" in
    *'range:0-9999 --wait'*) expect "10000 succeeded" "$line" ;;
    *'status job-3 --json'*) expect '"state":"succeeded"' "$line" ;;
    *'results job-3'*) files=$(find docs -type f | wc -l)
                       [ "$files" -gt 0 ] || fail "no files below docs/ to hash"
                       [ "$(grep -c '"state":"succeeded"' <<<"$out")" -eq "$files" ] ||
                         fail "results job-3: expected $files succeeded items (docs/): $out" ;;
    *'list'*) expect "job-3" "$line" ;;
    *'workers'*) expect "2 live workers" "$line" ;;
    *'help'*) expect "Exit codes:" "$line" ;;
  esac
done < <(block "CLI")
# The cancel line's comment: it had ended, and says so (stderr).
err=$("$fanout" cancel job-3 2>&1 >/dev/null) || fail "cancel job-3 failed"
grep -q "had already ended (succeeded): nothing to cancel" <<<"$err" || fail "cancel said: $err"
stop_dev

# --- ## Triggers ---
first=true
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"  # the comment lines under a command are indented
  case "$line" in
    'bin/fanout dev --trigger_config='*)
      config=$(sed -n 's/.*--trigger_config=\([^ ]*\).*/\1/p' <<<"$line")
      [ -f "$config" ] || fail "the README names $config, which does not exist"
      if $first; then
        start_dev triggers --workers=1 --trigger_config="$config" \
          --trigger_listen="127.0.0.1:$webhook"
        first=false
      fi
      continue ;;
    'bin/fanout-trigger '*)
      config=$(sed -n 's/.*--config=\([^ ]*\).*/\1/p' <<<"$line")
      [ -f "$config" ] || fail "the README names $config, which does not exist"
      continue ;;
    kill*|'#'*|'') continue ;;
  esac
  run "$line"
  case "$line" in
    curl*) expect '"accepted":1' "$line"; expect '"jobs":\["job-1"\]' "$line" ;;
    *'watch job-1'*) expect "job-1 succeeded" "$line" ;;
  esac
done < <(block "Triggers")
stop_dev

# --- the cost estimate under ## Dashboard, metrics and cost ---
line=$(grep -m1 '^bin/fanout cost --requests' README.md)
run "$line"
expect 'total     \$11.63' "$line"
echo "readme_test: the README's CLI, trigger and cost commands ran as written"
