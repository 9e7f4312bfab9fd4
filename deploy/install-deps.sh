#!/usr/bin/env bash
# Installs quokka's build and test dependencies from Debian 12 packages.
# Idempotent: when every package is already present it only checks and exits
# within seconds, without touching the network.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git
  libasio-dev
  libprotobuf-dev protobuf-compiler
  librocksdb-dev
  prometheus-cpp-dev
  libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  librapidcheck-dev
  libcli11-dev
  libtomlplusplus-dev
  libssl-dev
  libgoogle-perftools-dev
  clang libclang-rt-14-dev
  prometheus python3
  # quokka-bench --target etcd and bench/compare-etcd.sh: etcd's gRPC API,
  # and a real etcd to compare with (its smoke test runs in CI).
  libgrpc++-dev protobuf-compiler-grpc etcd-server etcd-client
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
