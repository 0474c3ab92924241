#!/usr/bin/env bash
# The README's "Fanout over data" commands, walked as written against a fresh `fanout dev` and a
# local Ceph RGW (tests/servers/start-ceph.sh) holding what the commands name: s3://photos/2026/,
# an empty s3://backup/, and s3://logs/manifest.jsonl listing JSONL objects. Checks the backup,
# that running it again copies nothing, the reduce's sum, and the concurrency update.
source tests/readme/walk.sh

ceph="$tmp/ceph"
stop_all() { stop_servers; CEPH_DIR="$ceph" "$root/tests/servers/stop-ceph.sh" >/dev/null 2>&1 || true; }
trap stop_all EXIT
rgw_port=$(free_port)
CEPH_DIR="$ceph" RGW_PORT=$rgw_port MON_PORT=$(free_port) OWNER_PID=$$ \
  "$root/tests/servers/start-ceph.sh" >"$tmp/ceph.log" 2>&1 || { cat "$tmp/ceph.log"; fail "no RGW"; }
export AWS_ENDPOINT_URL="http://127.0.0.1:$rgw_port" AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=TESTACCESSKEY AWS_SECRET_ACCESS_KEY=TESTSECRETKEY1234567890
s3() {
  curl -sS --fail --aws-sigv4 "aws:amz:us-east-1:s3" -o /dev/null \
    --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
for bucket in photos backup logs; do s3 -X PUT "$AWS_ENDPOINT_URL/$bucket"; done
for i in $(seq 1 50); do
  head -c $((i * 31)) /dev/urandom >"$tmp/object"
  s3 -T "$tmp/object" "$AWS_ENDPOINT_URL/photos/2026/11/img-$(printf %02d "$i").jpg"
done
records=0
: >"$tmp/manifest.jsonl"
for i in $(seq 1 12); do
  seq $((i * 7)) | sed -e 's/.*/{"seq": &}/' >"$tmp/part"
  records=$((records + i * 7))
  s3 -T "$tmp/part" "$AWS_ENDPOINT_URL/logs/events/day-$i.jsonl"
  echo "{\"bucket\": \"logs\", \"key\": \"events/day-$i.jsonl\"}" >>"$tmp/manifest.jsonl"
done
s3 -T "$tmp/manifest.jsonl" "$AWS_ENDPOINT_URL/logs/manifest.jsonl"

check_line() {
  case "$1" in
    *'builtin:s3-copy'*) expect "job-1 succeeded" "$1"; expect "5 succeeded" "$1" ;;
    *'results job-1'*) expect '"bucket":"photos"' "$1"; expect '"copied":true' "$1" ;;
    *'builtin:lines'*) expect "\"lines\":$records" "$1" ;;
    *'builtin:sleep'*) expect "job-4" "$1" ;;
    *'update job-4'*) expect "max concurrency 8" "$1"
      run "bin/fanout status job-4 --json"
      expect '"max_concurrency":8' "status job-4" ;;
  esac
}
serve "bin/fanout dev --workers=2"  # the section runs against one, as the README says
walk "Fanout over data"
# "run again, it copies nothing": the same backup as job-5
run "bin/fanout cancel job-4"
run "$(block "Fanout over data" | grep -m1 'builtin:s3-copy')"
run "bin/fanout results job-5"
[ "$(grep -c '"copied":false' <<<"$out")" -eq 50 ] || fail "the second backup copied: $out"
echo "readme walk: the data section ran as written"
