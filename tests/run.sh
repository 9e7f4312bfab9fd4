#!/usr/bin/env bash
# Installs what is missing, builds quokka and runs the whole test suite.
# Exits non-zero on any failure; the last line is ctest's summary.
#
# Environment:
#   QUOKKA_PROPERTY_CASES  cases per property test (default 1000)
#   QUOKKA_FUZZ_SECONDS    time given to each fuzzer (default 30)
#   QUOKKA_BUILD_DIR       build directory (default build)
#   QUOKKA_TEST_JOBS       tests run in parallel (default: number of cores)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${QUOKKA_BUILD_DIR:-$root/build}
jobs=${QUOKKA_TEST_JOBS:-$(nproc)}

"$root/deploy/install-deps.sh"

cmake -S "$root" -B "$build_dir" -G Ninja -DQUOKKA_WERROR=ON >/dev/null
cmake --build "$build_dir"

# The fuzzers need clang's libFuzzer; they get their own build tree.
if command -v clang++ >/dev/null 2>&1; then
  cmake -S "$root" -B "$build_dir/fuzz" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
    -DQUOKKA_FUZZ=ON -DQUOKKA_WERROR=ON >/dev/null
  cmake --build "$build_dir/fuzz" --target quokka_fuzzers
fi

export QUOKKA_PROPERTY_CASES=${QUOKKA_PROPERTY_CASES:-1000}
export QUOKKA_FUZZ_SECONDS=${QUOKKA_FUZZ_SECONDS:-30}
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
