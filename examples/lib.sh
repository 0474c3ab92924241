# Shared by the examples (sourced, not run): a `fanout dev` on a free port and, unless
# AWS_ENDPOINT_URL already names an S3 endpoint, a local single-node Ceph RGW started by the
# project's own script on 127.0.0.1. Everything started here stops when the example exits.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FANOUT="${FANOUT:-bin/fanout}"  # the CLI; ./dev example builds it first
[ -x "$FANOUT" ] || { echo "$FANOUT is missing: run the example as ./dev example NAME" >&2; exit 2; }
work="$(mktemp -d)"
dev_pid=""
rgw_dir=""

cleanup() {
  if [ -n "$dev_pid" ]; then kill -TERM "$dev_pid" 2>/dev/null && wait "$dev_pid" 2>/dev/null || true; fi
  if [ -n "$rgw_dir" ]; then CEPH_DIR="$rgw_dir" tests/servers/stop-ceph.sh >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

say() { echo "$(basename "$0" .sh): $*"; }

# Starts `fanout dev` (a coordinator and 2 workers in one process, embedded RocksDB) and points
# FANOUT_COORDINATOR at it. The S3 settings in the environment reach its workers and listings.
start_fanout_dev() {
  "$FANOUT" dev --data_dir="$work/data" --listen=127.0.0.1:0 --port_file="$work/port" \
    --workers=2 --slots=4 --http_listen=127.0.0.1:0 --cache_dir="$work/code" \
    --function_log_dir="$work/function-logs" "$@" >"$work/dev.log" 2>&1 &
  dev_pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
  [ -s "$work/port" ] || { cat "$work/dev.log"; say "fanout dev did not start" >&2; exit 1; }
  export FANOUT_COORDINATOR="127.0.0.1:$(cat "$work/port")"
  say "fanout dev is up at $FANOUT_COORDINATOR"
}

# Uses the S3 endpoint in AWS_ENDPOINT_URL (with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or
# starts a local RGW on RGW_PORT (default 47780) with the test user's keys. Returns 0 when it
# started one: the caller may then fill it with sample data.
start_rgw_unless_given() {
  if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
    say "using the S3 endpoint $AWS_ENDPOINT_URL"
    return 1
  fi
  rgw_dir="$work/ceph"
  say "starting a local Ceph RGW with tests/servers/start-ceph.sh"
  CEPH_DIR="$rgw_dir" RGW_PORT="${RGW_PORT:-47780}" MON_PORT="${MON_PORT:-40889}" \
    tests/servers/start-ceph.sh >"$work/ceph.log" 2>&1 ||
    { cat "$work/ceph.log"; say "the local RGW did not start" >&2; exit 1; }
  export AWS_ENDPOINT_URL="http://127.0.0.1:${RGW_PORT:-47780}"
  export AWS_ACCESS_KEY_ID=TESTACCESSKEY AWS_SECRET_ACCESS_KEY=TESTSECRETKEY1234567890
  export AWS_REGION="${AWS_REGION:-us-east-1}"
  say "RGW is up at $AWS_ENDPOINT_URL"
}

# s3 ARGS...: curl signed with SigV4 against the endpoint (path-style URLs: $AWS_ENDPOINT_URL/B/K).
# curl does not hash the payload itself; S3 wants the header signed, and accepts UNSIGNED-PAYLOAD.
s3() {
  curl -sS --fail --aws-sigv4 "aws:amz:${AWS_REGION:-us-east-1}:s3" \
    --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}

# urlencode STRING: percent-encodes everything but unreserved characters and '/'.
urlencode() {
  local LC_ALL=C s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in [a-zA-Z0-9.~_/-]) out+="$c" ;; *) out+=$(printf '%%%02X' "'$c") ;; esac
  done
  printf '%s' "$out"
}

s3_make_bucket() { s3 -o /dev/null -X PUT "$AWS_ENDPOINT_URL/$1"; }
# s3_put BUCKET KEY FILE
s3_put() { s3 -o /dev/null -T "$3" "$AWS_ENDPOINT_URL/$1/$(urlencode "$2")"; }

# json_number KEY < JSON: the first numeric value of "KEY" (enough for the flat figures shown).
json_number() { grep -o "\"$1\":[0-9.]*" | head -n 1 | cut -d: -f2; }

# free_port: a TCP port nobody listens on now, on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
