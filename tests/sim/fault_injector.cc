#include "tests/sim/fault_injector.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace quokka::sim {

void FaultInjector::schedule(const std::vector<FaultEvent>& plan) {
  for (const FaultEvent& event : plan) {
    scheduler_.at(event.at_ms, [this, event] {
      if (!stopped_) start(event);
    });
  }
}

void FaultInjector::record(std::string line) {
  trace_.record(scheduler_.now_ms(), line);
  log_.push_back(fmt::format("{:>8}ms {}", scheduler_.now_ms(), line));
}

NodeId FaultInjector::pick_node(uint64_t pick) const {
  const std::vector<NodeId> ids = cluster_.node_ids();
  return ids[pick % ids.size()];
}

void FaultInjector::start(const FaultEvent& event) {
  const std::vector<NodeId> ids = cluster_.node_ids();
  const uint64_t duration = event.duration_ms;
  const std::string_view name = fault_kind_name(event.kind);
  auto after_duration = [this, duration](std::function<void()> end) {
    scheduler_.after(duration, [this, end = std::move(end)] {
      if (!stopped_) end();
    });
  };
  // The case has already cut the links; this names it and plans its end.
  auto new_partition = [&](const std::string& what) {
    const uint64_t epoch = ++partition_epoch_;
    record(fmt::format("{} for {} ms: {} (cut {})", name, duration, what,
                       cluster_.network().describe_cuts()));
    after_duration([this, epoch] {
      if (epoch != partition_epoch_) return;
      cluster_.network().heal();
      record("partition healed");
    });
  };

  switch (event.kind) {
    case FaultKind::kLinkFaults: {
      LinkFaults faults = cluster_.options().peer_links;
      faults.drop_per_mille = random_.between(10, 300);
      faults.duplicate_per_mille = random_.between(0, 100);
      faults.reorder_per_mille = random_.between(0, 200);
      faults.delay_max_ms = faults.delay_min_ms + random_.between(5, 100);
      cluster_.set_peer_faults(faults);
      const uint64_t epoch = ++link_epoch_;
      record(fmt::format("{} for {} ms: drop {}‰ duplicate {}‰ reorder {}‰ delay {}-{} ms",
                         name, duration, faults.drop_per_mille,
                         faults.duplicate_per_mille, faults.reorder_per_mille,
                         faults.delay_min_ms, faults.delay_max_ms));
      after_duration([this, epoch] {
        if (epoch != link_epoch_) return;
        cluster_.set_peer_faults(cluster_.options().peer_links);
        record("peer links clean again");
      });
      break;
    }
    case FaultKind::kClientLinkFaults: {
      LinkFaults faults = cluster_.options().client_links;
      faults.drop_per_mille = random_.between(10, 300);
      faults.delay_max_ms = faults.delay_min_ms + random_.between(5, 500);
      faults.duplicate_per_mille = random_.between(0, 50);
      cluster_.set_client_faults(faults);
      const uint64_t epoch = ++client_link_epoch_;
      record(fmt::format("{} for {} ms: drop {}‰ duplicate {}‰ delay {}-{} ms", name,
                         duration, faults.drop_per_mille, faults.duplicate_per_mille,
                         faults.delay_min_ms, faults.delay_max_ms));
      after_duration([this, epoch] {
        if (epoch != client_link_epoch_) return;
        cluster_.set_client_faults(cluster_.options().client_links);
        record("client links clean again");
      });
      break;
    }
    case FaultKind::kPartitionHalves: {
      std::vector<Endpoint> side_a;
      std::vector<Endpoint> side_b;
      for (NodeId id : ids) (random_.chance(1, 2) ? side_a : side_b).push_back(id.value());
      if (side_a.empty() || side_b.empty()) {
        // Always split something off.
        std::vector<Endpoint>& full = side_a.empty() ? side_b : side_a;
        std::vector<Endpoint>& empty = side_a.empty() ? side_a : side_b;
        empty.push_back(full.back());
        full.pop_back();
      }
      cluster_.network().heal();
      cluster_.network().partition({side_a, side_b});
      new_partition(fmt::format("{} | {}", fmt::join(side_a, ","), fmt::join(side_b, ",")));
      break;
    }
    case FaultKind::kIsolateLeader: {
      const NodeId victim = cluster_.leader().value_or(pick_node(event.pick));
      std::vector<Endpoint> rest;
      for (NodeId id : ids) {
        if (id != victim) rest.push_back(id.value());
      }
      cluster_.network().heal();
      cluster_.network().partition({{victim.value()}, rest});
      new_partition(fmt::format("leader {} alone", victim.value()));
      break;
    }
    case FaultKind::kBridge: {
      // A random order of the nodes; the first and last groups cannot talk,
      // the middle node talks to both.
      std::vector<NodeId> order = ids;
      for (size_t i = order.size(); i > 1; --i) {
        std::swap(order[i - 1], order[random_.below(i)]);
      }
      const size_t middle = order.size() / 2;
      cluster_.network().heal();
      std::vector<Endpoint> left;
      std::vector<Endpoint> right;
      for (size_t i = 0; i < order.size(); ++i) {
        if (i < middle) left.push_back(order[i].value());
        if (i > middle) right.push_back(order[i].value());
      }
      for (Endpoint a : left) {
        for (Endpoint b : right) cluster_.network().cut_both_ways(a, b);
      }
      new_partition(fmt::format("{} <-> {} <-> {}", fmt::join(left, ","),
                                order[middle].value(), fmt::join(right, ",")));
      break;
    }
    case FaultKind::kOneWayLinks: {
      cluster_.network().heal();
      const uint64_t cuts = random_.between(1, ids.size());
      for (uint64_t i = 0; i < cuts; ++i) {
        const NodeId from = ids[random_.below(ids.size())];
        const NodeId to = ids[random_.below(ids.size())];
        if (from != to) cluster_.network().cut(from.value(), to.value());
      }
      new_partition("one-way links");
      break;
    }
    case FaultKind::kCrash: {
      const NodeId victim =
          random_.chance(1, 3) && cluster_.leader() ? *cluster_.leader() : pick_node(event.pick);
      if (!cluster_.node(victim).up()) break;
      record(fmt::format("crash node {} for {} ms", victim.value(), duration));
      cluster_.crash(victim);
      after_duration([this, victim] {
        cluster_.restart(victim);
        record(fmt::format("restart node {}", victim.value()));
      });
      break;
    }
    case FaultKind::kPause: {
      const NodeId victim =
          random_.chance(1, 2) && cluster_.leader() ? *cluster_.leader() : pick_node(event.pick);
      if (!cluster_.node(victim).up() || cluster_.node(victim).paused()) break;
      record(fmt::format("pause node {} for {} ms", victim.value(), duration));
      cluster_.pause(victim);
      after_duration([this, victim] {
        cluster_.resume(victim);
        record(fmt::format("resume node {}", victim.value()));
      });
      break;
    }
    case FaultKind::kStaleLeader: {
      const std::optional<NodeId> leader = cluster_.leader();
      if (!leader) break;
      const NodeId victim = *leader;
      std::vector<Endpoint> rest;
      for (NodeId id : ids) {
        if (id != victim) rest.push_back(id.value());
      }
      cluster_.network().heal();
      cluster_.network().partition({{victim.value()}, rest});
      const uint64_t epoch = ++partition_epoch_;
      record(fmt::format("stale-leader: pause leader {} for {} ms, cut off from its peers "
                         "until {} ms after it resumes",
                         victim.value(), duration, duration));
      cluster_.pause(victim);
      after_duration([this, victim, duration, epoch] {
        cluster_.resume(victim);
        record(fmt::format("resume node {} (still cut off)", victim.value()));
        scheduler_.after(duration, [this, epoch] {
          if (stopped_ || epoch != partition_epoch_) return;
          cluster_.network().heal();
          record("partition healed");
        });
      });
      break;
    }
    case FaultKind::kSlowDisk: {
      const NodeId victim = pick_node(event.pick);
      if (cluster_.node(victim).disk().slow()) break;
      record(fmt::format("slow disk on node {} for {} ms", victim.value(), duration));
      cluster_.set_slow_disk(victim, true);
      after_duration([this, victim] {
        cluster_.set_slow_disk(victim, false);
        record(fmt::format("disk of node {} fast again", victim.value()));
      });
      break;
    }
    case FaultKind::kClockJump: {
      const NodeId victim = pick_node(event.pick);
      const int64_t hours = static_cast<int64_t>(random_.between(1, 12));
      const int64_t delta = (random_.chance(1, 2) ? 1 : -1) * hours * 3'600'000;
      record(fmt::format("wall clock of node {} jumps {} h", victim.value(), delta / 3'600'000));
      cluster_.jump_wall_clock(victim, delta);
      break;
    }
  }
}

}  // namespace quokka::sim
