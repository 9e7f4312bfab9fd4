#pragma once

#include <CLI/CLI.hpp>

#include "client/bench/bench_options.h"

namespace quokka::client::bench {

// Registers quokka-bench's options on `app`, writing into `arguments`.
// Call note_given_options after parsing.
void add_bench_options(CLI::App& app, BenchArguments& arguments);

// Records which optional options were given (--rate, --read-percent).
void note_given_options(const CLI::App& app, BenchArguments& arguments);

}  // namespace quokka::client::bench
