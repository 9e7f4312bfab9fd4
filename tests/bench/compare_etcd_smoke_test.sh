#!/usr/bin/env bash
# Runs bench/compare-etcd.sh at the smallest size and checks what a reader
# of its report relies on: a row per cell with figures for both stores and a
# ratio, the targets section, the memory check, and no process left behind.
set -euo pipefail
root=$1
build_dir=$2
if "$build_dir/bin/quokka-bench" --target etcd --op cas 2>&1 | grep -q "built without"; then
  echo "quokka-bench was built without gRPC; skipping"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
report="$work/report.md"

QUOKKA_BUILD_DIR=$build_dir QUOKKA_BENCH_NO_BUILD=1 QUOKKA_BENCH_DIR="$work/data" \
  timeout 240 "$root/bench/compare-etcd.sh" --runs 1 --duration 0.5 --warmup 0.2 \
  --clients "1 4" --workloads "put-256 get-lin-256" --memory-clients 8 --out "$report" \
  >"$work/out.log" 2>&1 || { tail -50 "$work/out.log"; echo "FAIL: compare-etcd.sh failed"; exit 1; }

fail() { echo "FAIL: $*"; cat "$report"; exit 1; }

# Four cells, each with numbers for etcd and quokka and a ratio.
for row in "put 256 B | 1 |" "put 256 B | 4 |" "linearizable get 256 B | 1 |" \
           "linearizable get 256 B | 4 |"; do
  line=$(grep -F "| $row" "$report") || fail "no row '$row'"
  IFS='|' read -r _ _ _ etcd quokka ratio _ <<<"$line"
  [[ "$etcd" =~ [0-9] && "$quokka" =~ [0-9] && "$ratio" =~ [0-9]x ]] ||
    fail "row '$row' lacks a figure: $line"
done
grep -q "^## Targets" "$report" || fail "no targets section"
grep -q "put 256 B, 1 client: p50 <= 2x the disk's fdatasync p50" "$report" ||
  fail "no fsync target"
grep -q "memory, 8 clients of 1 MiB puts" "$report" || fail "no memory check"
grep -q "fdatasync takes p50" "$report" || fail "no disk probe"
grep -q "three such appenders at once, .*: p50 [0-9.]* ms" "$report" ||
  fail "no probe of three syncs at once"
grep -q "syncing it, again and again: [0-9]* MB/s in all" "$report" || fail "no disk bandwidth"
grep -q "round trip between two processes over TCP on 127.0.0.1 takes p50 [0-9.]* ms" "$report" ||
  fail "no loopback round trip"

# The members' CPU per request, a figure for each store in every cell.
grep -q "^## CPU per request" "$report" || fail "no CPU section"
for row in "put 256 B | 1 |" "linearizable get 256 B | 4 |"; do
  line=$(sed -n '/^## CPU per request/,/^## Targets/p' "$report" | grep -F "| $row") ||
    fail "no CPU row '$row'"
  IFS='|' read -r _ _ _ etcd quokka ratio _ <<<"$line"
  [[ "$etcd" =~ [0-9] && "$quokka" =~ [0-9] && "$ratio" =~ [0-9]x ]] ||
    fail "CPU row '$row' lacks a figure: $line"
done
# The single-client target names the floor the probes measured.
grep -q "two loopback round trips and three syncs at once: p50 [0-9.]* ms before any work" \
  "$report" || fail "no bound for the single-client target"

# Every process the script started is gone: no pid file names a live one.
for pid_file in $(find "$work/data" -name '*.pid' 2>/dev/null); do
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then fail "process $pid ($pid_file) still runs"; fi
done
echo "ok"
