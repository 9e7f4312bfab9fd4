#!/usr/bin/env bash
# A local three-node quokka cluster on 127.0.0.1.
#
#   cluster.sh up              install, build (when needed), start, wait for a leader
#   cluster.sh down            stop the nodes this script started (SIGTERM, then SIGKILL)
#   cluster.sh status          which nodes run, and quokkactl status
#   cluster.sh kill N          SIGKILL node N (a crash)
#   cluster.sh stop N          SIGSTOP node N (a pause)
#   cluster.sh cont N          SIGCONT node N
#   cluster.sh restart N       stop node N cleanly and start it again
#   cluster.sh prometheus      a real Prometheus on 127.0.0.1:9090 scraping the
#                              three nodes (deploy/prometheus); `prometheus stop`
#
# Clients on 127.0.0.1:7001-7003, peers on 7101-7103, metrics on 9101-9103
# (config/examples/node{1,2,3}.toml). Data, logs and pid files live under
# $QUOKKA_LOCAL_DIR (default: .local/cluster in the repository). The script
# only ever signals the pids it recorded itself.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${QUOKKA_BUILD_DIR:-$root/build}
local_dir=${QUOKKA_LOCAL_DIR:-$root/.local/cluster}
nodes=(1 2 3)
endpoints=127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003
# Bounds on every wait: a leader after start, a clean stop.
leader_wait_seconds=30
stop_wait_seconds=10

usage() {
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 64
}

pid_file() { echo "$local_dir/node$1.pid"; }
log_file() { echo "$local_dir/node$1.log"; }

# The recorded pid of node N if that process still runs, else nothing.
running_pid() {
  local file pid
  file=$(pid_file "$1")
  [[ -f "$file" ]] || return 0
  pid=$(cat "$file")
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    echo "$pid"
  fi
}

check_node() {
  [[ "$1" =~ ^[123]$ ]] || { echo "cluster.sh: node must be 1, 2 or 3, not '$1'" >&2; exit 64; }
}

build() {
  "$root/deploy/install-deps.sh"
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    cmake -S "$root" -B "$build_dir" -G Ninja >/dev/null
  fi
  cmake --build "$build_dir" --target quokkad quokkactl
}

start_node() {
  local n=$1
  if [[ -n "$(running_pid "$n")" ]]; then
    echo "node $n already runs (pid $(running_pid "$n"))"
    return 0
  fi
  mkdir -p "$local_dir"
  "$build_dir/bin/quokkad" -c "$root/config/examples/node$n.toml" \
    --data-dir "$local_dir/data$n" >>"$(log_file "$n")" 2>&1 &
  echo $! >"$(pid_file "$n")"
  echo "node $n started (pid $!, log $(log_file "$n"))"
}

stop_node() {
  local n=$1 pid waited=0
  pid=$(running_pid "$n")
  if [[ -z "$pid" ]]; then
    rm -f "$(pid_file "$n")"
    return 0
  fi
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < stop_wait_seconds * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "node $n did not stop within ${stop_wait_seconds}s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$n")"
  echo "node $n stopped"
}

wait_for_leader() {
  local waited=0
  while ((waited < leader_wait_seconds * 5)); do
    if "$build_dir/bin/quokkactl" --endpoints "$endpoints" health >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  echo "cluster.sh: no leader within ${leader_wait_seconds}s; see the logs in $local_dir" >&2
  return 1
}

signal_node() {
  local n=$1 signal=$2 pid
  pid=$(running_pid "$n")
  if [[ -z "$pid" ]]; then
    echo "node $n is not running" >&2
    exit 1
  fi
  kill "-$signal" "$pid"
  echo "node $n (pid $pid): SIG$signal"
}

[[ $# -ge 1 ]] || usage
command=$1
shift
case "$command" in
  up)
    [[ $# -eq 0 ]] || usage
    build
    for n in "${nodes[@]}"; do start_node "$n"; done
    wait_for_leader
    # A leader could be another cluster's on the same ports: every node
    # started here must still run a second later (a node that cannot bind
    # its ports exits at once).
    for _ in 1 2 3 4 5; do
      sleep 0.2
      for n in "${nodes[@]}"; do
        if [[ -z "$(running_pid "$n")" ]]; then
          echo "cluster.sh: node $n exited; the end of its log ($(log_file "$n")):" >&2
          tail -n 5 "$(log_file "$n")" >&2
          exit 1
        fi
      done
    done
    "$build_dir/bin/quokkactl" --endpoints "$endpoints" status
    cat <<EOF

A three-node quokka cluster runs on 127.0.0.1 (data and logs in $local_dir).
Try:
  export QUOKKA_ENDPOINTS=$endpoints
  $build_dir/bin/quokkactl put hello world
  $build_dir/bin/quokkactl get hello
  $build_dir/bin/quokkactl status
  $0 kill 1        # crash a node, then: $0 restart 1
  $0 down
EOF
    ;;
  down)
    [[ $# -eq 0 ]] || usage
    # All at once: the whole cluster goes, so no leader needs to wait for a
    # successor.
    for n in "${nodes[@]}"; do stop_node "$n" & done
    wait
    if [[ -f "$local_dir/prometheus.pid" ]]; then
      "$root/deploy/local/prometheus.sh" stop || true
    fi
    ;;
  status)
    [[ $# -eq 0 ]] || usage
    for n in "${nodes[@]}"; do
      pid=$(running_pid "$n")
      if [[ -n "$pid" ]]; then
        echo "node $n: running, pid $pid"
      else
        echo "node $n: not running"
      fi
    done
    if [[ -x "$build_dir/bin/quokkactl" ]]; then
      "$build_dir/bin/quokkactl" --endpoints "$endpoints" status || true
    fi
    ;;
  kill)
    [[ $# -eq 1 ]] || usage
    check_node "$1"
    signal_node "$1" KILL
    rm -f "$(pid_file "$1")"
    ;;
  stop)
    [[ $# -eq 1 ]] || usage
    check_node "$1"
    signal_node "$1" STOP
    ;;
  cont)
    [[ $# -eq 1 ]] || usage
    check_node "$1"
    signal_node "$1" CONT
    ;;
  prometheus)
    exec "$root/deploy/local/prometheus.sh" "$@"
    ;;
  restart)
    [[ $# -eq 1 ]] || usage
    check_node "$1"
    stop_node "$1"
    start_node "$1"
    ;;
  *) usage ;;
esac
