#include "tests/sim/fault_plan.h"

namespace quokka::sim {

namespace {
const std::vector<FaultKind> kAllKinds = {
    FaultKind::kLinkFaults,      FaultKind::kClientLinkFaults, FaultKind::kPartitionHalves,
    FaultKind::kIsolateLeader,   FaultKind::kBridge,           FaultKind::kOneWayLinks,
    FaultKind::kCrash,           FaultKind::kPause,            FaultKind::kSlowDisk,
    FaultKind::kClockJump,       FaultKind::kStaleLeader,
};
}  // namespace

std::string_view fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kLinkFaults: return "link-faults";
    case FaultKind::kClientLinkFaults: return "client-link-faults";
    case FaultKind::kPartitionHalves: return "partition-halves";
    case FaultKind::kIsolateLeader: return "isolate-leader";
    case FaultKind::kBridge: return "bridge";
    case FaultKind::kOneWayLinks: return "one-way-links";
    case FaultKind::kCrash: return "crash";
    case FaultKind::kPause: return "pause";
    case FaultKind::kSlowDisk: return "slow-disk";
    case FaultKind::kClockJump: return "clock-jump";
    case FaultKind::kStaleLeader: return "stale-leader";
  }
  return "unknown";
}

std::vector<std::string> fault_mix_names() {
  return {"calm", "network", "partitions", "crashes", "disk", "pauses", "clocks", "mixed"};
}

std::optional<FaultMix> fault_mix_named(std::string_view name, DeterministicRandom& random) {
  using K = FaultKind;
  if (name == "calm") return FaultMix{"calm", {}};
  if (name == "network") {
    return FaultMix{"network",
                    {K::kLinkFaults, K::kClientLinkFaults, K::kPartitionHalves,
                     K::kIsolateLeader, K::kBridge, K::kOneWayLinks, K::kStaleLeader}};
  }
  if (name == "partitions") {
    return FaultMix{"partitions",
                    {K::kPartitionHalves, K::kIsolateLeader, K::kBridge, K::kOneWayLinks,
                     K::kStaleLeader}};
  }
  if (name == "crashes") return FaultMix{"crashes", {K::kCrash}};
  if (name == "disk") return FaultMix{"disk", {K::kSlowDisk, K::kCrash}};
  if (name == "pauses") return FaultMix{"pauses", {K::kPause, K::kStaleLeader}};
  if (name == "clocks") return FaultMix{"clocks", {K::kClockJump, K::kPause}};
  if (name == "mixed") {
    FaultMix mix{"mixed", {}};
    while (mix.kinds.empty()) {
      for (FaultKind kind : kAllKinds) {
        if (random.chance(1, 2)) mix.kinds.push_back(kind);
      }
    }
    return mix;
  }
  return std::nullopt;
}

std::vector<FaultEvent> plan_faults(const FaultMix& mix, uint64_t start_ms,
                                    uint64_t end_ms, uint64_t election_timeout_ms,
                                    DeterministicRandom& random) {
  std::vector<FaultEvent> plan;
  if (mix.kinds.empty()) return plan;
  uint64_t at = start_ms + random.between(mix.gap_ms_min, mix.gap_ms_max);
  while (at < end_ms) {
    FaultEvent event;
    event.at_ms = at;
    event.kind = mix.kinds[random.below(mix.kinds.size())];
    event.pick = random.next();
    switch (event.kind) {
      case FaultKind::kClockJump:
        event.duration_ms = 0;
        break;
      case FaultKind::kStaleLeader:
        event.duration_ms = random.between(3 * election_timeout_ms, 10 * election_timeout_ms);
        break;
      case FaultKind::kPause:
        // Longer than an election timeout, so the others elect a new leader
        // and the paused one wakes up believing it still leads.
        event.duration_ms = random.between(2 * election_timeout_ms, 20 * election_timeout_ms);
        break;
      case FaultKind::kSlowDisk:
        event.duration_ms = random.between(1000, 5000);
        break;
      case FaultKind::kCrash:
        event.duration_ms = random.between(10, 3000);
        break;
      default:
        event.duration_ms = random.between(100, 4000);
        break;
    }
    plan.push_back(event);
    at += random.between(mix.gap_ms_min, mix.gap_ms_max);
  }
  return plan;
}

}  // namespace quokka::sim
