#!/usr/bin/env bash
# quokka and etcd side by side on this machine, with the same load generator.
#
#   bench/compare-etcd.sh [options]
#
#   --runs N            repetitions of the whole matrix, interleaved (default 3)
#   --duration S        measured seconds per cell (default 5)
#   --warmup S          warmup seconds per cell (default 1)
#   --clients "LIST"    logical clients per cell (default "1 16 64 256")
#   --workloads "LIST"  rows (default "put-256 get-lin-256 get-stale-256 put-64k put-1m")
#   --memory-clients N  clients of the memory check, 1 MiB puts (default 1024; 0 skips it)
#   --out FILE          the report (default bench/results/compare-etcd-DATE.md)
#
# Each run starts a fresh three-member etcd cluster (Debian etcd-server,
# default durability: every commit fsynced) and a fresh three-node quokka
# cluster (deploy/local/cluster.sh), one after the other and one workload
# row at a time, on 127.0.0.1; the order of the two alternates between
# runs, so drift on a noisy machine hits both. quokka-bench drives both:
# quokka through its client library, etcd through its v3 gRPC KV API
# (--target etcd), with the same logical clients, connections, keys, values
# and deadline. The report has the medians over the runs and the
# quokka/etcd ratio of every cell, the members' CPU per request, the disk's
# own fdatasync latency, bandwidth and a loopback round trip probed in the
# same run, the memory check, the machine, and for each target that does
# not hold the bound this machine sets, from those measurements.
#
# Installs what it needs (Debian packages), builds into $QUOKKA_BUILD_DIR
# (default build; QUOKKA_BENCH_NO_BUILD=1 uses it as it is), keeps data under $QUOKKA_BENCH_DIR (default
# .local/compare-etcd) and stops exactly the processes it started.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${QUOKKA_BUILD_DIR:-$root/build}
work=${QUOKKA_BENCH_DIR:-$root/.local/compare-etcd}
runs=3
duration=5
warmup=1
clients_list="1 16 64 256"
workloads="put-256 get-lin-256 get-stale-256 put-64k put-1m"
memory_clients=1024
out=""
# Bounds on every wait.
start_wait_seconds=30
stop_wait_seconds=10
request_timeout_seconds=10
memory_timeout_seconds=5
memory_window_seconds=10

usage() {
  sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 64
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --clients) clients_list=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --memory-clients) memory_clients=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "compare-etcd.sh: --runs must be a positive integer, not '$runs'" >&2; exit 64; }
[[ "$memory_clients" =~ ^[0-9]+$ ]] || { echo "compare-etcd.sh: --memory-clients must be an integer, not '$memory_clients'" >&2; exit 64; }
out=${out:-$root/bench/results/compare-etcd-$(date -u +%Y-%m-%d).md}

# --- install and build -------------------------------------------------------

# install-deps.sh brings etcd and gRPC too; configuring again lets a build
# made before gRPC was installed find it. QUOKKA_BENCH_NO_BUILD=1 (the smoke
# test, which runs inside a finished build) skips both.
if [[ "${QUOKKA_BENCH_NO_BUILD:-0}" != 1 ]]; then
  "$root/deploy/install-deps.sh"
  cmake -S "$root" -B "$build_dir" -G Ninja >/dev/null
  cmake --build "$build_dir" --target quokkad quokkactl quokka-bench quokka-fsync-probe \
    quokka-loopback-probe
fi
bench="$build_dir/bin/quokka-bench"
if "$bench" --target etcd --op cas 2>&1 | grep -q "built without"; then
  echo "compare-etcd.sh: $bench has no --target etcd; reconfigure $build_dir with gRPC installed" >&2
  exit 1
fi

mkdir -p "$work"
results="$work/results.jsonl"
: >"$results"

# --- etcd --------------------------------------------------------------------

etcd_client_ports=(12379 12389 12399)
etcd_peer_ports=(12380 12390 12400)
etcd_dir="$work/etcd"
etcd_endpoints() {
  local list=() i
  for i in 0 1 2; do list+=("127.0.0.1:${etcd_client_ports[$i]}"); done
  (IFS=,; echo "${list[*]}")
}

etcd_up() {
  rm -rf "$etcd_dir"
  mkdir -p "$etcd_dir"
  local cluster="" i
  for i in 0 1 2; do
    cluster+="${cluster:+,}e$i=http://127.0.0.1:${etcd_peer_ports[$i]}"
  done
  for i in 0 1 2; do
    # The quota is raised from 2 GiB so the 1 MiB rows fit; durability and
    # everything else stay at etcd's defaults.
    etcd --name "e$i" --data-dir "$etcd_dir/e$i" \
      --listen-client-urls "http://127.0.0.1:${etcd_client_ports[$i]}" \
      --advertise-client-urls "http://127.0.0.1:${etcd_client_ports[$i]}" \
      --listen-peer-urls "http://127.0.0.1:${etcd_peer_ports[$i]}" \
      --initial-advertise-peer-urls "http://127.0.0.1:${etcd_peer_ports[$i]}" \
      --initial-cluster "$cluster" --initial-cluster-state new \
      --initial-cluster-token quokka-compare --quota-backend-bytes 8589934592 \
      --log-level warn >"$etcd_dir/e$i.log" 2>&1 &
    echo $! >"$etcd_dir/e$i.pid"
  done
  local waited=0
  until ETCDCTL_API=3 etcdctl --endpoints "$(etcd_endpoints)" --command-timeout 2s \
      endpoint health >/dev/null 2>&1; do
    sleep 0.2
    waited=$((waited + 1))
    if ((waited > start_wait_seconds * 5)); then
      echo "compare-etcd.sh: etcd did not become healthy within ${start_wait_seconds}s; see $etcd_dir" >&2
      return 1
    fi
  done
}

# The etcd member that leads: the generator talks to it alone, as the quokka
# client library talks to quokka's leader.
etcd_leader() {
  ETCDCTL_API=3 etcdctl --endpoints "$(etcd_endpoints)" endpoint status -w json |
    python3 -c '
import json, sys
for member in json.load(sys.stdin):
    status = member["Status"]
    if status["header"]["member_id"] == status["leader"]:
        print(member["Endpoint"].removeprefix("http://"))
        break
'
}

stop_pid_file() {
  local file=$1 pid waited=0
  [[ -f "$file" ]] || return 0
  pid=$(cat "$file")
  rm -f "$file"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < stop_wait_seconds * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -KILL "$pid" 2>/dev/null || true
}

etcd_down() {
  local i
  for i in 0 1 2; do stop_pid_file "$etcd_dir/e$i.pid"; done
  rm -rf "$etcd_dir"
}

# --- quokka ------------------------------------------------------------------

quokka_dir="$work/quokka"
quokka_endpoints=127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003
cluster() {
  QUOKKA_LOCAL_DIR="$quokka_dir" QUOKKA_BUILD_DIR="$build_dir" "$root/deploy/local/cluster.sh" "$@"
}
quokka_up() {
  rm -rf "$quokka_dir"
  cluster up >"$work/quokka-up.log" 2>&1 || { cat "$work/quokka-up.log" >&2; return 1; }
}
quokka_down() {
  cluster down >/dev/null 2>&1 || true
  rm -rf "$quokka_dir"
}

cleanup() {
  etcd_down
  quokka_down
}
trap cleanup EXIT

# --- the matrix --------------------------------------------------------------

# "op value_size consistency" of a workload row.
workload_args() {
  case "$1" in
    put-256) echo "put 256 linearizable" ;;
    get-lin-256) echo "get 256 linearizable" ;;
    get-stale-256) echo "get 256 stale" ;;
    put-64k) echo "put 65536 linearizable" ;;
    put-1m) echo "put 1048576 linearizable" ;;
    *) echo "compare-etcd.sh: unknown workload '$1'" >&2; return 64 ;;
  esac
}

# User + system CPU of the given processes so far, in clock ticks: the
# members' CPU over a cell is the difference around it.
clock_ticks=$(getconf CLK_TCK)
members_cpu_ticks() {
  local pid ticks total=0
  for pid in "$@"; do
    # Fields 14 and 15 of /proc/PID/stat, counted past the command name,
    # which is in parentheses and may hold spaces.
    ticks=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + ${ticks:-0}))
  done
  echo "$total"
}

# Each cell of a run writes values no earlier cell wrote (its own seed; the
# same for both systems): quokka stores a value once by its hash, so a cell
# repeating an earlier one's values would skip their writing.
run_cell() {
  local system=$1 run=$2 workload=$3 clients=$4 endpoints=$5 op size consistency line
  read -r op size consistency <<<"$(workload_args "$workload")"
  local pids=() cpu_before cpu_after
  if [[ $system == etcd ]]; then
    pids=($(cat "$etcd_dir"/e*.pid))
  else
    pids=($(cat "$quokka_dir"/node*.pid))
  fi
  cpu_before=$(members_cpu_ticks "${pids[@]}")
  line=$("$bench" --target "$system" --endpoints "$endpoints" --op "$op" \
    --value-size "$size" --consistency "$consistency" --clients "$clients" \
    --duration "$duration" --warmup "$warmup" --timeout "$request_timeout_seconds" \
    --key-prefix "bench/$workload/" --seed "$((run * 1000 + clients))" \
    --json 2>>"$work/bench.log" | tail -1) || true
  cpu_after=$(members_cpu_ticks "${pids[@]}")
  [[ "$line" == "{"* ]] || line=null
  printf '{"system":"%s","run":%d,"workload":"%s","clients":%d,"members_cpu_s":%s,"result":%s}\n' \
    "$system" "$run" "$workload" "$clients" \
    "$(awk -v t=$((cpu_after - cpu_before)) -v hz="$clock_ticks" 'BEGIN { printf "%.3f", t / hz }')" \
    "$line" >>"$results"
  python3 -c '
import json, sys
r = json.loads(sys.argv[1])["result"]
if r is None:
    print("   failed (see bench.log)")
else:
    lat = r["latency_us"]
    print("   %9.0f ops/s  p50 %8.2f ms  p99 %8.2f ms  errors %s" % (
        r["throughput_ops_per_s"], lat["p50"] / 1000, lat["p99"] / 1000, r["errors"] or "none"))
' "$(tail -1 "$results")"
}

run_system() {
  local system=$1 run=$2 workload clients endpoints
  for workload in $workloads; do
    workload_args "$workload" >/dev/null
    if [[ $system == etcd ]]; then
      etcd_up
      endpoints=$(etcd_leader)
    else
      quokka_up
      endpoints=$quokka_endpoints
    fi
    for clients in $clients_list; do
      echo "run $run/$runs  $system  $workload  $clients clients"
      run_cell "$system" "$run" "$workload" "$clients" "$endpoints"
    done
    if [[ $system == etcd ]]; then etcd_down; else quokka_down; fi
  done
}

mkdir -p "$work/probe"
probe=$("$build_dir/bin/quokka-fsync-probe" --dir "$work/probe" --count 2000)
echo "fdatasync of 256 B on this disk: $probe"
# Three at once, as the three nodes of either cluster sync for every write.
probe_three=$("$build_dir/bin/quokka-fsync-probe" --dir "$work/probe" --count 1000 --writers 3)
echo "the same, three writers at once: $probe_three"

# The machine's other floors, for the report's bounds: a TCP round trip
# between two processes over loopback (a write crosses two at least), and
# the disk's bandwidth when three writers each make 1 MiB durable at a
# time (each node writes every large value once).
loopback=$("$build_dir/bin/quokka-loopback-probe" --count 2000)
echo "round trip between two processes over loopback: $loopback"
bandwidth=$("$build_dir/bin/quokka-fsync-probe" --dir "$work/probe" --count 64 --size 1048576 --writers 3)
echo "three writers of 1 MiB + fdatasync at once: $bandwidth"

started=$(date +%s)
for ((run = 1; run <= runs; run++)); do
  if ((run % 2 == 1)); then order="etcd quokka"; else order="quokka etcd"; fi
  for system in $order; do run_system "$system" "$run"; done
done

# --- memory under 1 MiB puts from many clients -------------------------------

memory='null'
if ((memory_clients > 0)); then
  echo "memory check: quokka, $memory_clients clients of 1 MiB puts"
  quokka_up
  pids=$(cat "$quokka_dir"/node*.pid)
  rss_file="$work/rss-max"
  (
    # The largest resident set of each node, sampled every 100 ms.
    declare -A max
    while true; do
      for pid in $pids; do
        rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
        if ((rss > ${max[$pid]:-0})); then max[$pid]=$rss; fi
      done
      for pid in $pids; do echo "$pid ${max[$pid]:-0}"; done >"$rss_file.tmp"
      mv "$rss_file.tmp" "$rss_file"
      sleep 0.1
    done
  ) &
  sampler=$!
  conns=$(( memory_clients < 16 ? memory_clients : 16 ))
  # A window of twice the deadline, so the fate of the requests started in
  # it (answered, refused, or timed out) lands in it too.
  memory_line=$("$bench" --endpoints "$quokka_endpoints" --op put --value-size 1048576 \
    --clients "$memory_clients" --conns "$conns" --duration "$memory_window_seconds" \
    --warmup "$warmup" --timeout "$memory_timeout_seconds" --key-prefix bench/memory/ --json \
    2>>"$work/bench.log" | tail -1) || true
  [[ "$memory_line" == "{"* ]] || memory_line=null
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  rss_kib=$(awk '{ printf "%s%s", sep, $2; sep = "," }' "$rss_file")
  memory=$(printf '{"clients":%d,"rss_max_kib":[%s],"result":%s}' \
    "$memory_clients" "$rss_kib" "$memory_line")
  quokka_down
fi

elapsed=$(( $(date +%s) - started ))
machine=$(printf '{"cpu":"%s","cores":%d,"memory_gib":%d,"kernel":"%s","etcd":"%s","quokka":"%s"}' \
  "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(nproc)" \
  "$(awk '/^MemTotal:/ { printf "%d", $2 / 1048576 }' /proc/meminfo)" "$(uname -r)" \
  "$(etcd --version | awk '/^etcd Version/ { print $3 }')" \
  "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)")
command_line="bench/compare-etcd.sh --runs $runs --duration $duration --warmup $warmup --clients \"$clients_list\" --workloads \"$workloads\" --memory-clients $memory_clients"

mkdir -p "$(dirname "$out")"
python3 "$root/bench/compare_etcd_report.py" --results "$results" --probe "$probe" --probe-three "$probe_three" \
  --loopback "$loopback" --bandwidth "$bandwidth" \
  --memory "$memory" --machine "$machine" --command "$command_line" \
  --elapsed "$elapsed" >"$out"
cat "$out"
echo "report: $out"
