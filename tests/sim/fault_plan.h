#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/deterministic_random.h"

namespace quokka::sim {

// The kinds of fault the simulator injects.
enum class FaultKind : uint8_t {
  kLinkFaults,        // peer links drop, duplicate, reorder and delay more
  kClientLinkFaults,  // client <-> node links drop and delay more
  kPartitionHalves,   // the nodes split into two random groups
  kIsolateLeader,     // the current leader is cut off from everyone
  kBridge,            // A <-> B <-> C but A and C cannot talk
  kOneWayLinks,       // a few links carry messages in one direction only
  kCrash,             // a node crashes (losing unsynced writes) and restarts later
  kPause,             // a node stops longer than an election timeout, then resumes
  kSlowDisk,          // a node's syncs take up to seconds
  kClockJump,         // a node's wall clock jumps hours forward or back
  // The leader stops, and is cut off from its peers (not its clients) until
  // a while after it resumes: it wakes up believing it still leads, the
  // exact moment a read served without a quorum round is stale.
  kStaleLeader,
};

std::string_view fault_kind_name(FaultKind kind);

// One planned fault: when it starts, how long it lasts (0: instantaneous),
// and the random draws that pick its victims and size. Which node is the
// leader is known only when it fires, so victims are chosen then, from
// `pick`, and written to the fault log.
struct FaultEvent {
  uint64_t at_ms = 0;
  FaultKind kind = FaultKind::kLinkFaults;
  uint64_t duration_ms = 0;
  uint64_t pick = 0;
};

// A named family of faults, as --fault-mix picks them.
struct FaultMix {
  std::string name;
  std::vector<FaultKind> kinds;
  // Time between the starts of two faults.
  uint64_t gap_ms_min = 200;
  uint64_t gap_ms_max = 1500;
};

// The mixes there are: calm, network, partitions, crashes, disk, pauses,
// clocks, mixed. "mixed" draws, per seed, a random non-empty subset of all
// kinds, so that over many seeds every combination is tried.
std::vector<std::string> fault_mix_names();
std::optional<FaultMix> fault_mix_named(std::string_view name, DeterministicRandom& random);

// Faults starting in [start_ms, end_ms), in time order. Every fault with a
// duration ends by end_ms + its duration; the caller heals everything at
// the end of the faults phase anyway.
std::vector<FaultEvent> plan_faults(const FaultMix& mix, uint64_t start_ms,
                                    uint64_t end_ms, uint64_t election_timeout_ms,
                                    DeterministicRandom& random);

}  // namespace quokka::sim
