#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "server/consensus/raft_options.h"

namespace quokka::testing::raft_property {

// How often each kind of step is drawn, relative to the others (0: never).
struct StepWeights {
  uint32_t tick_all = 10;       // every live node ticks once
  uint32_t tick_one = 3;        // one node ticks: clocks drift apart
  uint32_t process_ready = 60;  // a node moves its Readies along
  uint32_t deliver_oldest = 60;
  uint32_t deliver_random = 12;  // reordering
  uint32_t drop = 4;
  uint32_t duplicate = 4;
  uint32_t delay = 4;
  uint32_t partition = 1;  // random halves
  uint32_t isolate_leader = 1;
  uint32_t heal = 3;
  uint32_t crash = 1;            // whatever its Readies were doing
  uint32_t crash_mid_ready = 1;  // at a chosen step of the ordering rule
  uint32_t restart = 6;
  uint32_t propose = 12;
  uint32_t transfer_leadership = 1;
  uint32_t read_index = 4;
  uint32_t campaign = 1;  // an election timeout fires at once
  uint32_t compact = 2;   // a node snapshots and drops its log
};

// What kind of schedules to draw. Choices left unset are drawn per
// schedule from its seed.
struct ScheduleProfile {
  StepWeights weights;
  // Length of the faulty phase.
  uint64_t steps_min = 300;
  uint64_t steps_max = 700;
  // Broken on purpose in the negative controls; the core's own invariant
  // checks are then off, so that the property checker is what finds it.
  consensus::FaultInjection faults;
  std::optional<size_t> node_count;  // 3 or 5
  std::optional<uint64_t> election_timeout_ticks;
  std::optional<bool> pre_vote;
  std::optional<bool> check_quorum;
  std::optional<uint64_t> append_bytes_max;
  std::optional<uint64_t> inflight_messages_max;
  // After the faulty phase: heal, restart, and require that a leader is
  // elected and commits a last proposal on every node.
  bool check_liveness = true;
  // Bounds of the liveness phase, in rounds (a tick of every node, then
  // delivering everything until the network is quiet).
  uint64_t liveness_rounds_max = 400;
  uint64_t liveness_rounds_per_proposal = 60;
  // Prints every event as it happens (for reading a replayed schedule).
  bool trace = false;
};

// Every kind of fault, for the schedules that must never break a property.
ScheduleProfile default_profile();
// Candidates in one term and nodes that vote twice in it.
ScheduleProfile vote_twice_profile();
// Figure 8 of the Raft paper: leaders change while older entries are
// partly replicated, one entry per append, and the new leaders count
// replicas of older terms.
ScheduleProfile figure8_profile();

}  // namespace quokka::testing::raft_property
