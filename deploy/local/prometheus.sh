#!/usr/bin/env bash
# A Prometheus for the local three-node quokka cluster.
#
#   prometheus.sh [start]   install the Debian package `prometheus` if missing,
#                           start Prometheus on 127.0.0.1:9090 with
#                           deploy/prometheus/prometheus.yml, print its URL
#   prometheus.sh stop      stop the Prometheus this script started
#   prometheus.sh status    whether it runs, and its URL
#   prometheus.sh reload    re-read the configuration and rules (SIGHUP)
#
# It scrapes the nodes' metrics ports 127.0.0.1:9101-9103 every 5 s and
# evaluates deploy/prometheus/{recording,alerts}.rules.yml. Its data, log
# and pid file live under $QUOKKA_LOCAL_DIR (default: .local/cluster in the
# repository), beside the cluster's. QUOKKA_PROMETHEUS_ADDRESS moves the
# listen address. The script only ever signals the pid it recorded itself.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
local_dir=${QUOKKA_LOCAL_DIR:-$root/.local/cluster}
address=${QUOKKA_PROMETHEUS_ADDRESS:-127.0.0.1:9090}
config=$root/deploy/prometheus/prometheus.yml
data_dir=$local_dir/prometheus
pid_file=$local_dir/prometheus.pid
log_file=$local_dir/prometheus.log
# Local data is for looking at recent runs, not for keeping.
retention=7d
# Bounds on every wait: ready after start, a clean stop.
ready_wait_seconds=30
stop_wait_seconds=10

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 64
}

url() { echo "http://$address"; }

# The recorded pid if that process still runs and is the Prometheus started
# with our configuration (a recycled pid is someone else's), else nothing.
running_pid() {
  [[ -f "$pid_file" ]] || return 0
  local pid
  pid=$(cat "$pid_file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--config.file=$config"; then
    echo "$pid"
  fi
}

install_prometheus() {
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    return 0
  fi
  echo "prometheus.sh: installing the Debian package prometheus"
  local sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends prometheus
}

# The HTTP status of GET http://$address$1, or nothing if none came. Plain
# bash, so it needs neither curl nor wget.
http_status() {
  local host=${address%:*} port=${address##*:} line
  host=${host#[}
  host=${host%]}
  {
    exec 3<>"/dev/tcp/$host/$port"
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$1" "$address" >&3
    IFS=' ' read -r -t 2 _ line _ <&3
    exec 3>&-
    echo "$line"
  } 2>/dev/null || true
}

start() {
  local pid
  pid=$(running_pid)
  if [[ -n "$pid" ]]; then
    echo "prometheus already runs (pid $pid): $(url)"
    return 0
  fi
  install_prometheus
  promtool check config "$config" >/dev/null
  if [[ -n "$(http_status /-/healthy)" ]]; then
    cat >&2 <<EOF
prometheus.sh: something already listens on $address. Installing the
Debian package starts its own prometheus service on port 9090 where systemd
runs; stop it (systemctl disable --now prometheus) or set
QUOKKA_PROMETHEUS_ADDRESS=127.0.0.1:9091.
EOF
    exit 1
  fi
  mkdir -p "$data_dir"
  prometheus \
    --config.file="$config" \
    --storage.tsdb.path="$data_dir" \
    --storage.tsdb.retention.time="$retention" \
    --web.listen-address="$address" \
    >>"$log_file" 2>&1 &
  pid=$!
  echo "$pid" >"$pid_file"
  local waited=0
  while [[ "$(http_status /-/ready)" != 200 ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pid_file"
      echo "prometheus.sh: prometheus exited at start; the end of $log_file:" >&2
      tail -n 20 "$log_file" >&2
      exit 1
    fi
    if ((waited >= ready_wait_seconds * 5)); then
      echo "prometheus.sh: prometheus (pid $pid) not ready within ${ready_wait_seconds}s; see $log_file" >&2
      exit 1
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  cat <<EOF
prometheus started (pid $pid, log $log_file, data $data_dir)
  $(url)           query
  $(url)/targets   the three nodes (up once the cluster runs)
  $(url)/alerts    alerts and their state
EOF
}

stop() {
  local pid waited=0
  pid=$(running_pid)
  if [[ -z "$pid" ]]; then
    rm -f "$pid_file"
    echo "prometheus is not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < stop_wait_seconds * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "prometheus did not stop within ${stop_wait_seconds}s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  echo "prometheus stopped"
}

command=${1:-start}
[[ $# -le 1 ]] || usage
case "$command" in
  start) start ;;
  stop) stop ;;
  status)
    pid=$(running_pid)
    if [[ -n "$pid" ]]; then
      echo "prometheus: running, pid $pid, $(url)"
    else
      echo "prometheus: not running"
    fi
    ;;
  reload)
    pid=$(running_pid)
    [[ -n "$pid" ]] || { echo "prometheus is not running" >&2; exit 1; }
    promtool check config "$config" >/dev/null
    kill -HUP "$pid"
    echo "prometheus (pid $pid): configuration and rules reloaded"
    ;;
  *) usage ;;
esac
