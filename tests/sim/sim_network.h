#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/deterministic_random.h"
#include "tests/sim/scheduler.h"

namespace quokka::sim {

// A place messages go to and come from: node ids are 1..N, clients are
// kClientEndpointBase + their index, so one network carries both.
using Endpoint = uint64_t;
inline constexpr Endpoint kClientEndpointBase = 1000;

// How a working link misbehaves. Probabilities are per mille.
struct LinkFaults {
  uint64_t delay_min_ms = 1;
  uint64_t delay_max_ms = 5;
  uint64_t drop_per_mille = 0;
  uint64_t duplicate_per_mille = 0;
  // A message is held back by up to reorder_delay_max_ms more, so that later
  // messages overtake it.
  uint64_t reorder_per_mille = 0;
  uint64_t reorder_delay_max_ms = 200;
};

// The simulated network: it carries a delivery (a closure that hands the
// message to its receiver) from one endpoint to another, late, twice, out of
// order or never, as its faults say. A link cut by a partition carries
// nothing, and a message in flight when its link is cut is lost (checked
// again on arrival). Links are one-way: cutting a->b leaves b->a working.
class SimNetwork {
 public:
  using Delivery = std::function<void()>;

  SimNetwork(Scheduler& scheduler, DeterministicRandom& random)
      : scheduler_(scheduler), random_(random) {}

  // Faults of links between nodes, and of links between clients and nodes.
  void set_peer_faults(const LinkFaults& faults) { peer_faults_ = faults; }
  void set_client_faults(const LinkFaults& faults) { client_faults_ = faults; }
  const LinkFaults& peer_faults() const { return peer_faults_; }

  void carry(Endpoint from, Endpoint to, Delivery delivery);

  // Partitions (between nodes only; clients reach every node unless a
  // client link is cut explicitly).
  void cut(Endpoint from, Endpoint to);
  void cut_both_ways(Endpoint a, Endpoint b);
  // Cuts every link between different groups, both ways.
  void partition(const std::vector<std::vector<Endpoint>>& groups);
  // Restores every link (faults stay as set).
  void heal();
  bool connected(Endpoint from, Endpoint to) const;
  // "1->2 1->3 3->1", for the fault schedule and the trace.
  std::string describe_cuts() const;

  uint64_t messages_sent() const { return sent_; }
  uint64_t messages_dropped() const { return dropped_; }

 private:
  void schedule(Endpoint from, Endpoint to, const LinkFaults& faults,
                Delivery delivery);

  Scheduler& scheduler_;
  DeterministicRandom& random_;
  LinkFaults peer_faults_;
  LinkFaults client_faults_;
  std::set<std::pair<Endpoint, Endpoint>> cut_;
  uint64_t sent_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace quokka::sim
