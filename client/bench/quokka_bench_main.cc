// quokka-bench: a closed-loop (or, with --rate, open-loop) load generator
// over the client library. Progress goes to stderr, the result to stdout.
//
// Exit statuses: 0 the run finished with at least one successful request in
// the window; 1 it could not run (preload or connection set-up failed) or
// nothing succeeded; 64 the command line is wrong.

#include <CLI/CLI.hpp>

#include <iostream>

#include "client/bench/bench_command_line.h"
#include "client/bench/bench_report.h"
#include "client/bench/load_generator.h"

int main(int argc, char** argv) {
  using namespace quokka::client::bench;
  constexpr int kExitOk = 0;
  constexpr int kExitFailure = 1;
  constexpr int kExitUsage = 64;

  CLI::App app{"quokka-bench: load generator for a quokka cluster"};
  BenchArguments arguments;
  add_bench_options(app, arguments);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error);
    return status == 0 ? kExitOk : kExitUsage;
  }
  note_given_options(app, arguments);

  quokka::Result<BenchOptions> options = make_bench_options(arguments);
  if (!options) {
    std::cerr << "quokka-bench: " << options.status().message() << "\n";
    return kExitUsage;
  }

  LoadGenerator generator(options.value(), std::cerr);
  quokka::Result<RunResult> result = generator.run();
  if (!result) {
    std::cerr << "quokka-bench: " << result.status().to_string() << "\n";
    return kExitFailure;
  }
  if (options->json) {
    std::cout << format_report_json(*result) << "\n";
  } else {
    std::cout << format_report_table(*result);
  }
  return result->window.succeeded.count() > 0 ? kExitOk : kExitFailure;
}
