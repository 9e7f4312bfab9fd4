#!/bin/sh
# Runs one libFuzzer binary for a bounded time, for ctest.
#
# Usage: run_fuzzer.sh FUZZER CORPUS_DIR ARTIFACT_DIR
#
# The fuzzer works on a scratch copy of the checked-in seed corpus, so the
# inputs it adds do not land in the source tree. Crashing inputs are kept in
# ARTIFACT_DIR for reproduction (run the fuzzer binary on the file).
# QUOKKA_FUZZ_SECONDS (default 30) is read here, when the test runs.
# Exits 77, which ctest reports as "skipped", when FUZZER was not built:
# fuzzers need clang and a QUOKKA_FUZZ=ON build tree (tests/run.sh makes one).
set -eu

fuzzer=$1
corpus=$2
artifacts=$3

if [ ! -x "$fuzzer" ]; then
  echo "skipped: $fuzzer is not built (needs clang; tests/run.sh builds it)"
  exit 77
fi

seconds=${QUOKKA_FUZZ_SECONDS:-30}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$corpus"/* "$scratch"/
mkdir -p "$artifacts"

"$fuzzer" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$scratch"
