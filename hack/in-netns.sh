#!/usr/bin/env bash
# Runs a command inside a private network namespace (and PID namespace) created for it, where the pod
# CIDR 198.18.0.0/16 is routed locally on the namespace's own loopback device. A local control plane
# whose fake nodes have that podCIDR (KANARIA_POD_CIDR) gives its pods addresses that processes in the
# namespace can listen on and connect to; see src/podrunner.
#
#   hack/in-netns.sh <command> [args ...]
#   e.g. hack/in-netns.sh vitest run --project realpods
#
# - Needs root (unshare --net) and the `unshare` (util-linux) and `ip` (iproute2) commands.
# - Nothing outside changes: the routes and addresses are those of the new namespace only, which has
#   no other device than its loopback, so no traffic enters or leaves it.
# - Everything the command starts dies with it: the namespace's first process runs the command and,
#   when it ends, the kernel kills every other process of the PID namespace; if this script (the
#   `unshare` process) is killed, the namespace's first process is killed with it.
# - The command sees KANARIA_NETNS_CIDR=198.18.0.0/16 (or KANARIA_NETNS_CIDR's value when set before)
#   and a private TMPDIR, removed with everything in it once the namespace has ended; this script
#   exits with the command's exit status.
# - KANARIA_NETNS_PID_FILE names a file holding the process id, as the host sees it, of a process in the
#   namespace (unshare's), so that another terminal can join it: nsenter --net=/proc/<pid>/ns/net
set -euo pipefail

cidr=${KANARIA_NETNS_CIDR:-198.18.0.0/16}

# forward_to PID SIGNAL: sends SIGNAL to PID (a process group when negative) while it runs.
forward_to() {
  kill -"$2" -- "$1" 2>/dev/null || true
}

# wait_for PID: waits until PID has ended (a trapped signal interrupts `wait`) and exits with its status.
wait_for() {
  while kill -0 "$1" 2>/dev/null; do wait "$1"; done
  wait "$1"
  exit $?
}

if [ "${1:-}" = "--inside" ]; then
  # The namespace's first process (PID 1): sets up the loopback, runs the command as its own job and
  # passes INT, TERM and HUP on to it. While it waits, this shell also reaps the orphans that get
  # reparented to it; when it exits, the kernel kills whatever is left in the namespace.
  shift
  ip link set lo up
  ip route add local "$cidr" dev lo
  export KANARIA_NETNS_CIDR=$cidr
  set -m +e
  "$@" &
  cmd=$!
  set +m
  for sig in INT TERM HUP; do trap "forward_to -$cmd $sig" "$sig"; done
  wait_for "$cmd"
fi

fail() {
  echo "in-netns: $*" >&2
  exit 2
}

[ $# -gt 0 ] || fail "usage: hack/in-netns.sh <command> [args ...]"
[[ $cidr =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$ ]] || fail "KANARIA_NETNS_CIDR '$cidr' is not an IPv4 CIDR"
[ "$(id -u)" -eq 0 ] ||
  fail "needs root: creating a network namespace (unshare --net) takes CAP_SYS_ADMIN; run it as root (e.g. sudo -E)"
command -v unshare >/dev/null 2>&1 || fail "the unshare command is missing (Debian: apt-get install util-linux)"
command -v ip >/dev/null 2>&1 || fail "the ip command is missing (Debian: apt-get install iproute2)"

# --fork: this script's copy becomes PID 1 of the new PID namespace; --mount-proc: /proc shows that
# namespace; --kill-child: SIGKILL to it (and so to the whole namespace) if unshare dies. unshare
# blocks INT and TERM, so this shell passes them on to the namespace's first process; whatever is
# still running 20 s after a TERM or HUP is killed with the namespace.
work=$(mktemp -d "${TMPDIR:-/tmp}/kanaria-netns-XXXXXX")
export TMPDIR=$work
export KANARIA_NETNS_PID_FILE=$work/netns.pid
set -m
unshare --net --pid --fork --mount-proc --kill-child -- bash "$0" --inside "$@" &
ns=$!
echo "$ns" >"$KANARIA_NETNS_PID_FILE"
# ns_init: the namespace's first process (unshare's only child).
ns_init() {
  local kids
  kids=$(cat "/proc/$ns/task/$ns/children" 2>/dev/null || true)
  echo "${kids%% *}"
}
deadline=
on_signal() {
  local init
  init=$(ns_init)
  [ -z "$init" ] || forward_to "$init" "$1"
  if [ "$1" != INT ] && [ -z "$deadline" ]; then
    (sleep 20 && kill -KILL "$ns") >/dev/null 2>&1 &
    deadline=$!
  fi
}
for sig in INT TERM HUP; do trap "on_signal $sig" "$sig"; done
# By the time unshare has exited, every process of the namespace has: nothing uses $work any more.
trap '[ -z "$deadline" ] || kill "$deadline" 2>/dev/null; rm -rf "$work"' EXIT
set +e
wait_for "$ns"
