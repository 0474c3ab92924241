#!/usr/bin/env bash
# Count records over a JSONL manifest: the manifest (itself an object in the bucket) lists JSONL
# objects, builtin:lines counts the records of each, the per-object counts are written to the
# bucket as a result manifest, and a reduce (builtin:sum) adds them up — the ETL hello-world.
#
#   ./dev example count-records                     # a local RGW with 40 generated log objects
#   AWS_ENDPOINT_URL=... ./dev example count-records s3-manifest://logs/manifest.jsonl s3://logs/counts
source "$(dirname "$0")/lib.sh"

manifest="${1:-s3-manifest://logs/manifest.jsonl}"
results="${2:-s3://logs/counts}"
expected=""
if start_rgw_unless_given; then
  say "writing 40 JSONL objects and a manifest listing them to s3://logs/"
  s3_make_bucket logs
  expected=0
  : >"$work/manifest.jsonl"
  for i in $(seq -w 1 40); do
    n=$((RANDOM % 2000 + 1))
    expected=$((expected + n))
    seq "$n" | sed -e "s/.*/{\"event\": \"click\", \"seq\": &, \"day\": \"$i\"}/" >"$work/part"
    s3_put logs "events/day-$i.jsonl" "$work/part"
    echo "{\"bucket\": \"logs\", \"key\": \"events/day-$i.jsonl\"}" >>"$work/manifest.jsonl"
  done
  s3_put logs manifest.jsonl "$work/manifest.jsonl"
fi
start_fanout_dev

job=$("$FANOUT" submit --function=builtin:lines --source="$manifest" --batch_size=4 \
  --results="$results" --reduce=builtin:sum)
say "counting the records of every object listed in $manifest as $job"
"$FANOUT" watch "$job" >&2
"$FANOUT" watch --json "$job" 2>/dev/null | tail -n 1 | sed -e 's/.*"result"://' >"$work/reduce.json"
records=$(json_number lines <"$work/reduce.json")
objects=$(json_number items <"$work/reduce.json")
say "$records records in $objects objects; per-object counts under $results/$job/"
if [ -n "$expected" ] && [ "$records" != "$expected" ]; then
  say "expected $expected records" >&2
  exit 1
fi
