// quokka-sim: the deterministic whole-cluster simulator.
//
//   quokka-sim --seed 42                 replay one seed
//   quokka-sim --seeds 200               seeds 1..200 (or from --seed on)
//   quokka-sim --nodes 5 --fault-mix partitions --verbose
//   quokka-sim --break local_linearizable_reads --fault-mix pauses --seeds 10
//
// Exit codes: 0 every seed passed; 1 a correctness violation; 2 a liveness
// failure (no progress after the faults healed); 3 is reserved for a crash,
// which quokka-sim cannot report itself: an assertion in the node or the
// simulator aborts the process, so a caller sees SIGABRT (a shell shows
// 134) and the last SEED= line printed before it names the seed to replay;
// 64 a usage error.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/sim/fault_plan.h"
#include "tests/sim/simulation.h"

namespace {

constexpr int kExitUsage = 64;

void print_failure(const quokka::sim::SimulationReport& report) {
  std::printf("SEED=%llu FAILED: %s\n", static_cast<unsigned long long>(report.seed),
              std::string(quokka::sim::run_verdict_name(report.verdict)).c_str());
  for (const auto& finding : report.findings) {
    std::printf("  [%s] %s\n", std::string(quokka::sim::run_verdict_name(finding.verdict)).c_str(),
                finding.what.c_str());
  }
  std::printf("fault schedule (%s):\n", report.fault_mix.c_str());
  for (const auto& line : report.fault_log) std::printf("  %s\n", line.c_str());
  std::printf("nodes at the end:\n%s", report.final_nodes.c_str());
  std::printf("last events:\n");
  for (const auto& line : report.last_events) std::printf("  %s\n", line.c_str());
  std::printf("replay: quokka-sim %s\n", report.replay_arguments.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"quokka-sim: the whole cluster in one process, driven by a seed"};
  uint64_t seed = 1;
  uint64_t seeds = 1;
  size_t nodes = 3;
  std::string fault_mix = "mixed";
  bool verbose = false;
  bool forward_writes = false;
  uint64_t faults_phase_ms = quokka::sim::SimulationOptions{}.faults_phase_ms;
  app.add_option("--seed", seed, "the seed to run (with --seeds: the first)");
  app.add_option("--seeds", seeds, "how many consecutive seeds to run")->check(CLI::PositiveNumber);
  app.add_option("--nodes", nodes, "cluster size")->check(CLI::IsMember({3, 5}));
  app.add_option("--fault-mix", fault_mix, "which faults to inject")
      ->check(CLI::IsMember(quokka::sim::fault_mix_names()));
  app.add_option("--faults-ms", faults_phase_ms, "simulated length of the faults phase");
  app.add_flag("--verbose", verbose, "print every event as it happens");
  app.add_flag("--forward-writes", forward_writes,
               "followers pass writes on to the leader instead of answering NOT_LEADER");
  uint64_t write_values_bytes_max = 0;
  app.add_option("--write-values-bytes-max", write_values_bytes_max,
                 "the leader's write budget in bytes (0: the node's default)");
  // Negative controls: break the node on purpose to see the checkers fire.
  std::vector<std::string> breaks;
  app.add_option("--break", breaks, "break the node on purpose (negative control)")
      ->check(CLI::IsMember({"acknowledge_before_commit", "local_linearizable_reads",
                             "skip_blob_before_entry"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kExitUsage;
  }

  int exit_code = 0;
  for (uint64_t i = 0; i < seeds; ++i) {
    quokka::sim::SimulationOptions options;
    options.seed = seed + i;
    options.node_count = nodes;
    options.fault_mix = fault_mix;
    options.verbose = verbose;
    options.faults_phase_ms = faults_phase_ms;
    options.forward_writes = forward_writes;
    options.write_values_bytes_max = write_values_bytes_max;
    for (const std::string& name : breaks) {
      if (name == "acknowledge_before_commit") options.node_faults.acknowledge_before_commit = true;
      if (name == "local_linearizable_reads") options.node_faults.local_linearizable_reads = true;
      if (name == "skip_blob_before_entry") options.node_faults.skip_blob_before_entry = true;
    }
    // Printed before the run, so that an abort still names its seed.
    std::printf("SEED=%llu running\n", static_cast<unsigned long long>(options.seed));
    std::fflush(stdout);
    const auto started = std::chrono::steady_clock::now();
    const quokka::sim::SimulationReport report = quokka::sim::run_simulation(options);
    const double wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("SEED=%llu %s %s wall=%.2fs ops/s=%.0f digest=%016llx\n",
                static_cast<unsigned long long>(report.seed),
                report.verdict == quokka::sim::RunVerdict::kOk ? "ok" : "FAIL",
                report.summary.c_str(), wall_seconds,
                wall_seconds > 0 ? static_cast<double>(report.operations) / wall_seconds : 0.0,
                static_cast<unsigned long long>(report.digest));
    if (report.verdict != quokka::sim::RunVerdict::kOk) {
      print_failure(report);
      // Correctness outranks liveness across seeds too.
      const int code = static_cast<int>(report.verdict);
      if (exit_code == 0 || code < exit_code) exit_code = code;
    }
    std::fflush(stdout);
  }
  return exit_code;
}
