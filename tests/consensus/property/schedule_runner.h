#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/consensus/property/property_checker.h"
#include "tests/consensus/property/schedule_profile.h"

namespace quokka::testing::raft_property {

// What one schedule did and found.
struct ScheduleOutcome {
  uint64_t seed = 0;
  // The first property broken (a liveness failure is reported as the
  // property "liveness"), or nullopt.
  std::optional<Violation> violation;
  std::vector<std::string> recent_events;
  // Of every event, so a test can show that a seed replays exactly.
  uint64_t event_digest = 0;

  // How much the schedule exercised.
  size_t node_count = 0;
  uint64_t steps = 0;
  size_t leaders = 0;
  size_t entries_committed = 0;
  uint64_t crashes = 0;
  size_t reads_answered = 0;
};

// Runs one schedule: a cluster of 3 or 5 nodes driven by steps drawn from a
// DeterministicRandom seeded with `seed`, checked after every step. The
// same seed and profile give the same run.
ScheduleOutcome run_schedule(uint64_t seed, const ScheduleProfile& profile);

// "SEED=<seed>", the property broken, and the recent events.
std::string describe_failure(const ScheduleOutcome& outcome);

}  // namespace quokka::testing::raft_property
