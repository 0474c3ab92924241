#!/usr/bin/env bash
# Runs every benchmark against the binaries in bin/ (built by ./dev bench) and prints their tables.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== noop-fanout-100k (and BullMQ on Redis in the same run) =="
bazel-bin/bench/noop_fanout --bin_dir=bin --tasks=100000 --workers=2 \
  --bullmq_modules="${FANOUT_BULLMQ_MODULES:-}" "$@"
echo
echo "== observed-fanout (the cost of the dashboard and /metrics) =="
bazel-bin/bench/observed_fanout --bin_dir=bin
echo
echo "== checkpoint-overhead =="
bazel-bin/bench/checkpoint_overhead --bin_dir=bin
echo
echo "== function-overhead (bash, Node on aws-lambda-ric, exec, beside builtin:noop; ~3 min) =="
bazel-bin/bench/function_overhead --bin_dir=bin
echo
echo "== webhook-latency =="
bazel-bin/bench/webhook_latency --bin_dir=bin
echo
echo "== event-storm (S3 notifications of 50 records per POST; ~1 min) =="
bazel-bin/bench/event_storm --bin_dir=bin
echo
echo "== manifest-scale (1M and 10M jsonl lines; ~7 min) =="
bazel-bin/bench/manifest_scale --bin_dir=bin
echo
echo "== many-jobs (a million one-task jobs kept, then deleted by retention; ~6 min) =="
bazel-bin/bench/many_jobs --bin_dir=bin
echo
echo "== restart-cost (a running job through SIGTERM and SIGKILL restarts; ~1 min) =="
bazel-bin/bench/restart_cost --bin_dir=bin
echo
echo "== lease-spread (slow tasks over several workers; ~20 s) =="
bazel-bin/bench/lease_spread --bin_dir=bin
echo
echo "== cli-start (a fanout command as a process, spawn to exit) =="
bazel-bin/bench/cli_start --bin_dir=bin
echo
echo "== job-latency (a one-item job's end seen, in-process client) =="
bazel-bin/bench/job_latency --bin_dir=bin
