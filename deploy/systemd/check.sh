#!/bin/bash
# The units are valid to systemd (systemd-analyze verify, with the test's binaries where the units
# say /usr/local/bin: a warning fails too), and every flag their ExecStart passes exists in that
# binary (its --helpfull), so the units cannot drift from the code.
set -euo pipefail
here=$(dirname "$0")
root="$here/../.."  # the runfiles: coordinator/fanout-coordinator, worker/fanout-worker, ...
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for unit in "$here"/*.service; do
  name=$(basename "$unit")
  # ExecStart with its continuation lines joined.
  exec_start=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$unit" | sed 's/\\$//' | tr '\n' ' ' |
    sed 's/^ExecStart=//')
  binary=$(echo "$exec_start" | awk '{print $1}')
  base=$(basename "$binary")
  local_binary=$(readlink -f "$root/${base#fanout-}/$base")
  help=$("$local_binary" --helpfull 2>&1 || true)
  for flag in $(echo "$exec_start" | grep -o -- '--[a-z_]*' | sort -u); do
    if ! grep -qE "^ +$flag \(" <<<"$help"; then
      echo "$name: $binary has no flag $flag" >&2
      failed=1
    fi
  done
  sed "s|$binary|$local_binary|" "$unit" >"$work/$name"
done
cd "$work"
units=$(ls *.service | sed 's/@\.service$/@1.service/')
# shellcheck disable=SC2086
if ! out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no $units 2>&1) || [ -n "$out" ]; then
  echo "systemd-analyze verify:" >&2
  echo "$out" >&2
  failed=1
fi
exit "$failed"
