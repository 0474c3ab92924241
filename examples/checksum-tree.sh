#!/usr/bin/env bash
# Checksum a directory tree: SHA-256 of every regular file under it (dir: source, listed lazily),
# 32 files per task, the results written as a JSONL manifest, and a reduce (builtin:sum) adding up
# the bytes hashed. Needs no S3.
#
#   ./dev example checksum-tree [DIR] [OUT_DIR]     # default /usr/include; results in OUT_DIR
source "$(dirname "$0")/lib.sh"

tree="$(realpath "${1:-/usr/include}")"
out="$(realpath -m "${2:-/tmp/fanout-examples/checksum-tree}")"
mkdir -p "$out"
rm -f "$out"/checksums*.jsonl "$out"/checksums.manifest.json
start_fanout_dev --file_roots="$tree,$out"

job=$("$FANOUT" submit --function=builtin:sha256 --source="dir:$tree" --batch_size=32 \
  --results="jsonl:$out/checksums.jsonl" --reduce=builtin:sum)
say "hashing every file under $tree as $job"
"$FANOUT" watch "$job" >&2
"$FANOUT" watch --json "$job" 2>/dev/null | tail -n 1 | sed -e 's/.*"result"://' >"$work/reduce.json"

files=$(grep -c . "$out/checksums.jsonl")
expected=$(find "$tree" -type f | wc -l)
bytes=$(json_number bytes <"$work/reduce.json")
failed=$(grep -c . "$out/checksums.failed.jsonl" || true)
say "$files files hashed ($bytes bytes), $failed failed; find counts $expected files"
say "results: $out/checksums.jsonl (manifest: $out/checksums.manifest.json), e.g.:"
head -n 2 "$out/checksums.jsonl"
[ "$((files + failed))" -eq "$expected" ] || { say "expected $expected files" >&2; exit 1; }
