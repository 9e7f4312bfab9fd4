#!/usr/bin/env bash
# Starts (up) or stops (down) a local three-node quokka cluster on loopback.
# Installs dependencies and builds first when needed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${QUOKKA_BUILD_DIR:-$root/build}

usage() {
  echo "usage: $0 up|down" >&2
  exit 64
}

[[ $# -eq 1 ]] || usage
case "$1" in
  up)
    "$root/deploy/install-deps.sh"
    cmake -S "$root" -B "$build_dir" -G Ninja >/dev/null
    cmake --build "$build_dir"
    echo "cluster.sh: quokka is built in $build_dir/bin." >&2
    echo "cluster.sh: quokkad cannot serve a cluster yet: consensus, the node" >&2
    echo "cluster.sh: and the TCP server are still to come; nothing was started." >&2
    exit 3
    ;;
  down)
    echo "cluster.sh: no cluster to stop." >&2
    ;;
  *) usage ;;
esac
