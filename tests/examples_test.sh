#!/usr/bin/env bash
# Runs the examples as a user would: each starts `fanout dev` (and, for the S3 ones, its own Ceph
# RGW through tests/servers/start-ceph.sh) and checks its own outcome — the backup's second run
# copies nothing, the record count matches what was written, every file of the tree is hashed —
# exiting non-zero otherwise.
set -euo pipefail
export FANOUT="$PWD/cli/fanout"
unset AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A tree with nested directories, a name with a space, and an empty file.
tree="$TEST_TMPDIR/tree"
for d in a a/b a/b/c "with space"; do
  mkdir -p "$tree/$d"
  for i in $(seq 1 40); do head -c $((i * 37)) /dev/urandom >"$tree/$d/f$i.bin"; done
done
: >"$tree/empty"
examples/checksum-tree.sh "$tree" "$TEST_TMPDIR/checksums"
[ "$(grep -c . "$TEST_TMPDIR/checksums/checksums.jsonl")" -eq 161 ]
grep -q '"path":"'"$tree"'/with space/f7.bin"' "$TEST_TMPDIR/checksums/checksums.jsonl"

RGW_PORT=$(free_port) MON_PORT=$(free_port) examples/bucket-backup.sh
RGW_PORT=$(free_port) MON_PORT=$(free_port) examples/count-records.sh
# The thumbnails demo needs its npm packages, which ./dev test installs outside the clone.
if [ -n "${FANOUT_THUMBNAILS_MODULES:-}" ]; then
  RGW_PORT=$(free_port) MON_PORT=$(free_port) examples/thumbnails.sh
else
  echo "examples_test: thumbnails skipped: FANOUT_THUMBNAILS_MODULES is not set" >&2
fi
echo "examples_test: the examples passed"
