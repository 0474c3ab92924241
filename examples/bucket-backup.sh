#!/usr/bin/env bash
# Nightly bucket backup: copy every object under a prefix to another bucket with builtin:s3-copy,
# which skips objects the destination already has (same size and ETag) and verifies each copy. The
# second run of the same backup copies nothing.
#
#   ./dev example bucket-backup                      # a local RGW with 300 sample objects
#   AWS_ENDPOINT_URL=... AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
#     ./dev example bucket-backup s3://photos/2026/ s3://backup/photos/
#
# As a nightly job (crontab), one job per night whatever the retries of the cron line itself:
#   0 3 * * * fanout submit --function=builtin:s3-copy --source=s3://photos/ \
#     --param dest=s3://backup/photos/ --idempotency_key=backup-$(date +\%F) --wait
source "$(dirname "$0")/lib.sh"

src="${1:-s3://photos/2026/}"
dest="${2:-s3://backup/photos/}"  # + each source key: s3://backup/photos/2026/11/...
if start_rgw_unless_given; then
  say "filling s3://photos/2026/ with 300 sample objects (keys with spaces, '+' and non-ASCII)"
  s3_make_bucket photos
  s3_make_bucket backup
  for i in $(seq -w 1 300); do
    head -c $((RANDOM % 4096 + 1)) /dev/urandom >"$work/object"
    case $((10#$i % 3)) in
      0) key="2026/11/img $i.jpg" ;;
      1) key="2026/11/img+$i.jpg" ;;
      *) key="2026/11/café-$i.jpg" ;;
    esac
    s3_put photos "$key" "$work/object"
  done
fi
start_fanout_dev

backup() {
  local job
  job=$("$FANOUT" submit --function=builtin:s3-copy --source="$src" --param dest="$dest" \
    --batch_size=10 --max_concurrency=8 --max_attempts=5)
  "$FANOUT" watch "$job" >&2
  "$FANOUT" results "$job" >"$work/$1.jsonl"
  copied=$(grep -c '"copied":true' "$work/$1.jsonl" || true)
  total=$(grep -c . "$work/$1.jsonl" || true)
  say "$1 run ($job): copied $copied of $total objects, the rest were already there"
}

backup first
first_total=$total
backup second
[ "$copied" -eq 0 ] || { say "the second run copied $copied objects; expected none" >&2; exit 1; }
[ "$total" -eq "$first_total" ] || { say "the runs saw $first_total and $total objects" >&2; exit 1; }
say "one result line per object (fanout results JOB):"
head -n 2 "$work/first.jsonl"
