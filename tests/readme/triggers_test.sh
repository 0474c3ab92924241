#!/usr/bin/env bash
# The README's trigger quick start, walked as written: the sample S3 event posted to the webhook
# becomes job-1, which succeeds; the @every 10s rule makes a job within a round; a standalone
# trigger beside a coordinator answers the same event as a duplicate (the coordinator kept its key).
source tests/readme/walk.sh

after_serve() {
  case "$1" in
    *webhook-noop.json*) wait_port "${port[7071]}" ;;
  esac
}
posts=0
check_line() {
  case "$1" in
    curl*)
      posts=$((posts + 1))
      if [ "$posts" -eq 1 ]; then
        expect '"accepted":1' "$1"; expect '"jobs":\["job-1"\]' "$1"
      else
        expect '"accepted":0,"duplicates":1' "$1"
      fi ;;
    *'watch job-1'*) expect "job-1 succeeded" "$1" ;;
    *' list'*)  # "within 10 s"
      for _ in $(seq 110); do
        grep -q "^job-2 .*builtin:noop" <<<"$out" && return 0
        sleep 0.1
        out=$(bin/fanout list 2>&1)
      done
      fail "no job-2 from the @every 10s rule within 11 s: $out" ;;
  esac
}
walk "Triggers"
[ "$posts" -eq 2 ] || fail "expected the README to post the sample event twice, saw $posts"
echo "readme walk: the trigger quick start ran as written"
