# Sourced by the README walks (tests/readme/*_test.sh): runs a README section's commands as a
# newcomer types them, in a copy of the checkout with bin/ holding the binaries under test, and
# checks what their comments say. Every port the README names (7070, 7071, 7080, 9460-9463) is
# mapped to a free one on 127.0.0.1, /var/lib/fanout to a scratch directory, and a server's
# default listening address to its mapped port, so that a walk binds nothing else.
set -euo pipefail
root="$PWD"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "readme walk: $*" >&2; exit 1; }

# A checkout as a newcomer has it: real files (runfiles are symlinks, which dir: does not follow).
mkdir -p "$tmp/checkout/bin"
cp -rL "$root/README.md" "$root/docs" "$root/examples" "$tmp/checkout/"
[ -d "$root/deploy" ] && cp -rL "$root/deploy" "$tmp/checkout/"
for b in cli/fanout cli/fanout-dev coordinator/fanout-coordinator worker/fanout-worker \
  trigger/fanout-trigger; do
  [ -e "$root/$b" ] && cp -L "$root/$b" "$tmp/checkout/bin/"
done
cd "$tmp/checkout"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
declare -A port
taken=" "
for p in 7070 7071 7080 9460 9461 9462 9463; do
  until [[ -n ${port[$p]:-} && $taken != *" ${port[$p]} "* ]]; do port[$p]=$(free_port); done
  taken+="${port[$p]} "
done
export FANOUT_COORDINATOR="127.0.0.1:${port[7070]}"

# The Nth (default 1st) ```sh block of the README section whose heading starts with $1, with
# continuation lines joined and the comment lines under a command dropped.
block() {
  awk -v h="## $1" -v n="${2:-1}" '
    /^## / {f = index($0, h) == 1; next}
    f && /^```sh/ {k++; g = (k == n); next}
    g && /^```/ {exit}
    g {print}' README.md | sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' | grep -v '^ *#' || true
}

# The README line $1 with its ports and paths made this walk's.
localize() {
  local line=$1 p
  # Beyond loopback the README's commands would need tokens: it must not show such an address
  # without them, and a walk binds nothing else.
  [[ $line != *0.0.0.0:* ]] || fail "the README listens beyond loopback (tokens needed): $1"
  for p in "${!port[@]}"; do line=${line//127.0.0.1:$p/127.0.0.1:${port[$p]}}; done
  line=${line//\/var\/lib\/fanout/$tmp/var-lib-fanout}
  # A server's default address is a well-known port: give it the mapped one instead.
  add() { [[ $line == *" $1="* ]] || line="$line $1=$2"; }
  case "$line" in
    'bin/fanout dev'*) add --listen "127.0.0.1:${port[7070]}"
      add --http_listen "127.0.0.1:${port[7080]}"
      add --trigger_listen "127.0.0.1:${port[7071]}" ;;
    bin/fanout-coordinator*) add --listen "127.0.0.1:${port[7070]}" ;;
    bin/fanout-trigger*) add --http_listen "127.0.0.1:${port[7071]}" ;;
  esac
  printf '%s' "$line"
}

servers=()
wait_port() {  # $1: port; waits up to 10 s for a listener, while the last server started lives
  local pid=${servers[-1]:-} n=$((${#servers[@]} - 1))
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      cat "$tmp/server-$n.log" >&2
      fail "the server it waited for (port $1) exited"
    fi
    sleep 0.1
  done
  fail "nothing listens on $1 after 10 s"
}

# Starts a server line in the background (its log in $tmp/server-N.log) and waits for its port.
serve() {
  local line n=${#servers[@]}
  line=$(localize "$1")
  echo "+ $line &" >&2
  (eval "exec $line" >"$tmp/server-$n.log" 2>&1 </dev/null) &
  servers+=($!)
  case "$line" in
    'bin/fanout dev'* | bin/fanout-coordinator*) wait_port "${port[7070]}" ;;
    *metrics_listen=127.0.0.1:*)
      [[ $line =~ metrics_listen=127.0.0.1:([0-9]+) ]] && wait_port "${BASH_REMATCH[1]}" ;;
    *) sleep 1 ;;
  esac
}
# Stops every server started so far (SIGTERM, as `kill %1` does), and waits for them: 40 s
# (a worker drains for up to 30 s), then SIGKILL.
stop_servers() {
  local pid
  for pid in "${servers[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do
    for _ in $(seq 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  servers=()
}
trap stop_servers EXIT

# The README line $1 without its comment (two spaces or more, then #) and trailing blanks.
command_of() { sed -e 's/  \+#.*//' -e 's/ *$//' <<<"$1"; }

# Runs one README command; its output (stdout and stderr) goes to $out. The exit code must be the
# one its comment names ("exit N"), else 0. `export` lines set this shell's environment.
run() {
  local line want=0 rc=0
  [[ $1 =~ \#.*exit\ ([0-9]+) ]] && want=${BASH_REMATCH[1]}
  line=$(localize "$(command_of "$1")")
  echo "+ $line" >&2
  if [[ $line == export\ * ]]; then eval "$line"; out=""; return; fi
  # As in a newcomer's shell: no pipefail (`fanout results | head` ends fanout with SIGPIPE).
  out=$(set +o pipefail; eval "$line" 2>&1 </dev/null) || rc=$?
  [ "$rc" -eq "$want" ] || fail "exit $rc (the README says $want) from: $1"$'\n'"$out"
}

expect() { grep -q -- "$1" <<<"$out" || fail "expected '$1' in the output of: $2"$'\n'"$out"; }

# Hooks for the walks: after_serve LINE (a server is up), check_line LINE (its $out).
after_serve() { :; }
check_line() { :; }

# Walks block "$1" [n]: servers (lines ending in &, and the processes that run in the foreground)
# start in the background; `kill` stops them; every other line runs, then check_line sees $out.
walk() {
  local line cmd
  while IFS= read -r line; do
    cmd=$(command_of "$line")
    case "$cmd" in
      '') continue ;;
      kill*) stop_servers ;;
      *'&' | 'bin/fanout dev'* | bin/fanout-coordinator* | bin/fanout-worker* | bin/fanout-trigger*)
        serve "${cmd%&}"; after_serve "$line" ;;
      prometheus*) after_serve "$line" ;;  # a long-running server of its own: the caller checks
      *) run "$line"; check_line "$line" ;;
    esac
  done < <(block "$@")
}
