#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "common/deterministic_random.h"
#include "tests/sim/checker/linearizability_checker.h"
#include "tests/sim/checker/random_register_history.h"

namespace quokka::sim {
namespace {

constexpr uint64_t kSeeds = 200;

testing::RandomHistoryOptions small_history(uint64_t seed) {
  testing::RandomHistoryOptions options;
  options.seed = seed;
  options.operations = 200;
  options.clients = 6;
  options.keys = 3;
  options.indeterminate_percent = 5;
  options.failure_percent = 5;
  return options;
}

void expect_correct_store_is_ok(bool report_revisions) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    testing::RandomHistoryOptions options = small_history(seed);
    options.report_revisions = report_revisions;
    const CheckResult result =
        check_linearizability(testing::generate_register_history(options));
    ASSERT_EQ(result.verdict, Verdict::kOk)
        << "seed " << seed << ": " << result.explanation;
  }
}

void expect_stale_reads_found(bool report_revisions) {
  uint64_t mutated = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    testing::RandomHistoryOptions options = small_history(seed);
    options.report_revisions = report_revisions;
    History history = testing::generate_register_history(options);
    DeterministicRandom random(seed);
    const std::optional<size_t> stale = testing::make_stale_read(history, random);
    if (!stale.has_value()) continue;
    ++mutated;
    const CheckResult result = check_linearizability(history);
    ASSERT_EQ(result.verdict, Verdict::kViolation)
        << "seed " << seed << ", stale read #" << *stale << ": "
        << verdict_name(result.verdict) << " " << result.explanation;
    // The history was linearizable before, so every witness contains the
    // read that was changed.
    EXPECT_NE(std::find(result.operations.begin(), result.operations.end(),
                        *stale),
              result.operations.end())
        << "seed " << seed << ": " << result.explanation;
  }
  // The generator must actually produce something to mutate.
  EXPECT_GE(mutated, kSeeds * 9 / 10);
}

TEST(LinearizabilityCheckerRandomTest, CorrectStoreIsOk) {
  expect_correct_store_is_ok(/*report_revisions=*/true);
}

TEST(LinearizabilityCheckerRandomTest, CorrectStoreWithoutRevisionsIsOk) {
  expect_correct_store_is_ok(/*report_revisions=*/false);
}

TEST(LinearizabilityCheckerRandomTest, StaleReadIsViolation) {
  expect_stale_reads_found(/*report_revisions=*/true);
}

TEST(LinearizabilityCheckerRandomTest, StaleReadWithoutRevisionsIsViolation) {
  expect_stale_reads_found(/*report_revisions=*/false);
}

TEST(LinearizabilityCheckerRandomTest, HighlyConcurrentSingleKeyIsDecided) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    testing::RandomHistoryOptions options;
    options.seed = seed;
    options.operations = 1000;
    options.clients = 30;
    options.keys = 1;
    options.latency_ticks_max = 50;
    options.think_ticks_max = 2;
    const CheckResult result =
        check_linearizability(testing::generate_register_history(options));
    ASSERT_EQ(result.verdict, Verdict::kOk)
        << "seed " << seed << ": " << result.explanation;
  }
}

}  // namespace
}  // namespace quokka::sim
