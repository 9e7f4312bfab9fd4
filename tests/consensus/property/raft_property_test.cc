// The consensus property test: random schedules of ticks, deliveries,
// losses, duplicates, reorderings, delays, partitions, crashes (at every
// step of the Ready ordering rule), restarts, proposals, leadership
// transfers and reads over simulated clusters of 3 or 5 nodes, with Raft's
// safety properties checked after every step and liveness checked once the
// faults stop.
//
// QUOKKA_RAFT_SCHEDULES  how many schedules (default 500)
// QUOKKA_RAFT_SEED       schedule i runs with seed QUOKKA_RAFT_SEED + i
//                        (default below)
// QUOKKA_RAFT_TRACE=1    prints every event of every schedule
// A failing schedule prints SEED=<n>;
//   QUOKKA_RAFT_SEED=<n> QUOKKA_RAFT_SCHEDULES=1 raft_property_test
//     --gtest_filter=RaftProperty.RandomSchedulesKeepRaftSafe
// replays exactly it.
//
// The negative controls break the core on purpose (FaultInjection) and
// assert that the checker notices; they use fixed seeds and budgets of
// their own.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "tests/consensus/property/schedule_profile.h"
#include "tests/consensus/property/schedule_runner.h"

namespace quokka::testing::raft_property {
namespace {

constexpr uint64_t kDefaultSeed = 20261125;
constexpr uint64_t kDefaultSchedules = 500;
// The negative controls search at most this many schedules (each one
// stops at the first violation it finds).
constexpr uint64_t kVoteTwiceSchedulesMax = 200;
constexpr uint64_t kFigure8SchedulesMax = 600;
constexpr uint64_t kVoteTwiceSeed = 7100000;
constexpr uint64_t kFigure8Seed = 8800000;

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == nullptr || *end != '\0') {
    ADD_FAILURE() << name << "=" << text << " is not a number";
    return fallback;
  }
  return value;
}

struct Totals {
  uint64_t schedules = 0;
  uint64_t steps = 0;
  uint64_t leaders = 0;
  uint64_t committed = 0;
  uint64_t crashes = 0;
  uint64_t reads = 0;
  uint64_t five_node = 0;

  void add(const ScheduleOutcome& outcome) {
    ++schedules;
    steps += outcome.steps;
    leaders += outcome.leaders;
    committed += outcome.entries_committed;
    crashes += outcome.crashes;
    reads += outcome.reads_answered;
    if (outcome.node_count == 5) ++five_node;
  }

  std::string describe() const {
    return fmt::format(
        "{} schedules ({} of 5 nodes), {} steps, {} leaders, {} entries "
        "committed, {} crashes, {} reads answered",
        schedules, five_node, steps, leaders, committed, crashes, reads);
  }
};

TEST(RaftProperty, RandomSchedulesKeepRaftSafe) {
  const uint64_t base = env_or("QUOKKA_RAFT_SEED", kDefaultSeed);
  const uint64_t schedules = env_or("QUOKKA_RAFT_SCHEDULES", kDefaultSchedules);
  ScheduleProfile profile = default_profile();
  profile.trace = env_or("QUOKKA_RAFT_TRACE", 0) != 0;
  Totals totals;
  for (uint64_t i = 0; i < schedules; ++i) {
    const ScheduleOutcome outcome = run_schedule(base + i, profile);
    totals.add(outcome);
    if (outcome.violation) {
      FAIL() << describe_failure(outcome)
             << "replay: QUOKKA_RAFT_SEED=" << outcome.seed
             << " QUOKKA_RAFT_SCHEDULES=1\n"
             << "after " << totals.describe();
    }
  }
  std::cout << totals.describe() << "\n";
  // A run that elects nobody and commits nothing proves nothing.
  if (schedules >= 100) {
    EXPECT_GE(totals.leaders, schedules);
    EXPECT_GE(totals.committed, 10 * schedules);
    EXPECT_GT(totals.crashes, schedules / 2);
    EXPECT_GT(totals.reads, 0u);
    EXPECT_GT(totals.five_node, 0u);
    EXPECT_LT(totals.five_node, totals.schedules);
  }
}

TEST(RaftProperty, SameSeedReplaysTheSameSchedule) {
  const ScheduleProfile profile = default_profile();
  for (uint64_t seed = kDefaultSeed; seed < kDefaultSeed + 5; ++seed) {
    const ScheduleOutcome first = run_schedule(seed, profile);
    const ScheduleOutcome second = run_schedule(seed, profile);
    EXPECT_EQ(first.event_digest, second.event_digest) << "SEED=" << seed;
    EXPECT_EQ(first.steps, second.steps) << "SEED=" << seed;
  }
}

// Searches `schedules_max` schedules from `base` for one that breaks
// `property`; returns how many it took (0 when none did).
uint64_t schedules_until(const ScheduleProfile& profile, uint64_t base,
                         uint64_t schedules_max, const std::string& property,
                         std::string& report) {
  for (uint64_t i = 0; i < schedules_max; ++i) {
    const ScheduleOutcome outcome = run_schedule(base + i, profile);
    if (outcome.violation && outcome.violation->property == property) {
      report = describe_failure(outcome);
      return i + 1;
    }
  }
  return 0;
}

TEST(RaftPropertyNegativeControl, VotingTwiceBreaksElectionSafety) {
  std::string report;
  const uint64_t needed =
      schedules_until(vote_twice_profile(), kVoteTwiceSeed,
                      kVoteTwiceSchedulesMax, "election safety", report);
  ASSERT_NE(needed, 0u) << "no election-safety violation in "
                        << kVoteTwiceSchedulesMax
                        << " schedules with vote_twice_in_term";
  std::cout << "found after " << needed << " schedules:\n" << report;
}

TEST(RaftPropertyNegativeControl, CommittingOlderTermsByCountingLosesEntries) {
  const ScheduleProfile profile = figure8_profile();
  for (uint64_t i = 0; i < kFigure8SchedulesMax; ++i) {
    const ScheduleOutcome outcome = run_schedule(kFigure8Seed + i, profile);
    if (!outcome.violation) continue;
    const std::string& property = outcome.violation->property;
    ASSERT_TRUE(property == "state-machine safety" ||
                property == "leader completeness")
        << "expected lost committed entries, found:\n"
        << describe_failure(outcome);
    std::cout << "found after " << i + 1 << " schedules:\n"
              << describe_failure(outcome);
    return;
  }
  FAIL() << "no state-machine-safety or leader-completeness violation in "
         << kFigure8SchedulesMax
         << " schedules with commit_older_terms_by_counting";
}

}  // namespace
}  // namespace quokka::testing::raft_property
