#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "tests/sim/checker/linearizability_checker.h"
#include "tests/sim/checker/random_register_history.h"

namespace quokka::sim {
namespace {

// The simulator checks every run's history, so a 10,000-operation history
// must take well under a second. Wall time depends on the machine, so the
// test bounds the search steps (deterministic) and prints the time.
void check_large_history(size_t keys, size_t clients) {
  testing::RandomHistoryOptions options;
  options.seed = 42;
  options.operations = 10'000;
  options.clients = clients;
  options.keys = keys;
  options.indeterminate_percent = 3;
  options.failure_percent = 2;
  const History history = testing::generate_register_history(options);

  const auto start = std::chrono::steady_clock::now();
  const CheckResult result = check_linearizability(history);
  const auto elapsed = std::chrono::steady_clock::now() - start;

  ASSERT_EQ(result.verdict, Verdict::kOk) << result.explanation;
  const CheckStatistics& statistics = result.statistics;
  std::printf(
      "%zu operations, %zu keys, %zu clients: %.1f ms; %zu searched, %llu "
      "steps (most on one key %llu), largest memo %llu bytes\n",
      statistics.operations, statistics.keys, clients,
      std::chrono::duration<double, std::milli>(elapsed).count(),
      statistics.operations_searched,
      static_cast<unsigned long long>(statistics.search_steps),
      static_cast<unsigned long long>(statistics.search_steps_key_max),
      static_cast<unsigned long long>(statistics.memo_bytes_key_max));
  EXPECT_LE(statistics.search_steps, 40 * statistics.operations);
}

TEST(LinearizabilityCheckerPerformanceTest, TenThousandOperationsTenKeys) {
  check_large_history(/*keys=*/10, /*clients=*/20);
}

TEST(LinearizabilityCheckerPerformanceTest, TenThousandOperationsHundredKeys) {
  check_large_history(/*keys=*/100, /*clients=*/20);
}

TEST(LinearizabilityCheckerPerformanceTest, TenThousandOperationsOneKey) {
  check_large_history(/*keys=*/1, /*clients=*/10);
}

}  // namespace
}  // namespace quokka::sim
