#!/usr/bin/env bash
# The README's sections that start the processes themselves, walked as written, each against
# fresh ones (as the README says, job numbers count from a fresh coordinator): "Running the
# processes yourself", "Security" (TLS, tokens, a refused call) and "Dashboard, metrics and cost"
# (the dashboard's API, /metrics, the scrape config, the job's cost and the estimate).
source tests/readme/walk.sh

fresh() { stop_servers; rm -rf "$tmp/var-lib-fanout" .fanout; }

check_line() {
  case "$1" in
    *'range:1-100 --wait'*) expect "job-1 succeeded" "$1"; expect "100 succeeded" "$1" ;;
    *'token create'*) expect "^fanout_" "$1"; expect "(submit)" "$1" ;;
    *'FANOUT_TOKEN= '*) expect "token" "$1" ;;
    *'curl -s 127.0.0.1:9460/metrics'*)
      expect 'fanout_tasks{function="builtin:sleep",job_id="job-1",state="succeeded"} 100' "$1" ;;
    *'cost job-1'*) expect "job-1: 100 requests" "$1"; expect "total" "$1" ;;
    *'cost --requests'*) expect 'total     \$11.63' "$1" ;;
  esac
}

walk "Running the processes yourself"
fresh
walk "Security"
unset FANOUT_TOKEN FANOUT_TLS_CA
fresh
after_serve() {
  case "$1" in
    prometheus*)  # a server of its own: its configuration (and alert rules) must load
      if command -v promtool >/dev/null; then
        promtool check config deploy/prometheus/prometheus.yml >&2 || fail "promtool: $1"
      else
        [ -f deploy/prometheus/prometheus.yml ] || fail "the README names a missing file: $1"
      fi ;;
  esac
}
walk "Dashboard, metrics and cost"
# "fanout dev serves a web dashboard": the coordinator's, on --http_listen, lists job-1.
out=$(curl -s "127.0.0.1:${port[7080]}/api/jobs")
expect '"job-1"' "the dashboard's /api/jobs"
walk "Dashboard, metrics and cost" 2
echo "readme walk: running the processes, security and the dashboard ran as written"
