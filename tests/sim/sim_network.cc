#include "tests/sim/sim_network.h"

#include <fmt/format.h>

namespace quokka::sim {

bool SimNetwork::connected(Endpoint from, Endpoint to) const {
  return !cut_.contains({from, to});
}

void SimNetwork::carry(Endpoint from, Endpoint to, Delivery delivery) {
  ++sent_;
  const bool peer_link = from < kClientEndpointBase && to < kClientEndpointBase;
  const LinkFaults& faults = peer_link ? peer_faults_ : client_faults_;
  if (!connected(from, to) || random_.chance(faults.drop_per_mille, 1000)) {
    ++dropped_;
    return;
  }
  if (random_.chance(faults.duplicate_per_mille, 1000)) {
    schedule(from, to, faults, delivery);
  }
  schedule(from, to, faults, std::move(delivery));
}

void SimNetwork::schedule(Endpoint from, Endpoint to, const LinkFaults& faults,
                          Delivery delivery) {
  uint64_t delay = random_.between(faults.delay_min_ms, faults.delay_max_ms);
  if (random_.chance(faults.reorder_per_mille, 1000)) {
    delay += random_.between(0, faults.reorder_delay_max_ms);
  }
  scheduler_.after(delay, [this, from, to, delivery = std::move(delivery)] {
    // A partition that began while the message travelled loses it.
    if (!connected(from, to)) {
      ++dropped_;
      return;
    }
    delivery();
  });
}

void SimNetwork::cut(Endpoint from, Endpoint to) { cut_.insert({from, to}); }

void SimNetwork::cut_both_ways(Endpoint a, Endpoint b) {
  cut(a, b);
  cut(b, a);
}

void SimNetwork::partition(const std::vector<std::vector<Endpoint>>& groups) {
  for (size_t i = 0; i < groups.size(); ++i) {
    for (size_t j = 0; j < groups.size(); ++j) {
      if (i == j) continue;
      for (Endpoint a : groups[i]) {
        for (Endpoint b : groups[j]) cut(a, b);
      }
    }
  }
}

void SimNetwork::heal() { cut_.clear(); }

std::string SimNetwork::describe_cuts() const {
  std::string text;
  for (const auto& [from, to] : cut_) {
    if (!text.empty()) text += ' ';
    text += fmt::format("{}->{}", from, to);
  }
  return text.empty() ? "none" : text;
}

}  // namespace quokka::sim
