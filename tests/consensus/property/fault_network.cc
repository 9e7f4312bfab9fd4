#include "tests/consensus/property/fault_network.h"

#include <utility>

namespace quokka::testing::raft_property {

void FaultNetwork::send(consensus::Message message, uint64_t now_step) {
  if (!connected(message.from, message.to)) {
    ++lost_to_partition_;
    lost(std::move(message));
    return;
  }
  in_flight_.push_back({next_sequence_++, std::move(message), now_step});
  if (in_flight_.size() > in_flight_max_) {
    lost(std::move(in_flight_.front().message));
    in_flight_.pop_front();
    ++lost_to_overflow_;
  }
}

void FaultNetwork::lost(consensus::Message message) {
  if (message.type == consensus::MessageType::kSnapshot) {
    lost_snapshots_.push_back(std::move(message));
  }
}

std::vector<consensus::Message> FaultNetwork::take_lost_snapshots() {
  return std::exchange(lost_snapshots_, {});
}

std::vector<size_t> FaultNetwork::deliverable(uint64_t now_step) const {
  std::vector<size_t> positions;
  for (size_t i = 0; i < in_flight_.size(); ++i) {
    if (in_flight_[i].deliverable_at_step <= now_step) positions.push_back(i);
  }
  return positions;
}

std::optional<consensus::Message> FaultNetwork::take_at(size_t position) {
  consensus::Message message = std::move(in_flight_[position].message);
  in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(position));
  if (!connected(message.from, message.to)) {
    ++lost_to_partition_;
    lost(std::move(message));
    return std::nullopt;
  }
  return message;
}

std::optional<consensus::Message> FaultNetwork::take_oldest(uint64_t now_step) {
  for (size_t i = 0; i < in_flight_.size(); ++i) {
    if (in_flight_[i].deliverable_at_step <= now_step) return take_at(i);
  }
  return std::nullopt;
}

std::optional<consensus::Message> FaultNetwork::take_random(
    DeterministicRandom& random, uint64_t now_step) {
  const std::vector<size_t> positions = deliverable(now_step);
  if (positions.empty()) return std::nullopt;
  return take_at(positions[random.below(positions.size())]);
}

std::optional<consensus::Message> FaultNetwork::drop_random(
    DeterministicRandom& random) {
  if (in_flight_.empty()) return std::nullopt;
  const size_t position = random.below(in_flight_.size());
  consensus::Message message = std::move(in_flight_[position].message);
  in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(position));
  return message;
}

std::optional<consensus::Message> FaultNetwork::duplicate_random(
    DeterministicRandom& random, uint64_t now_step) {
  if (in_flight_.empty()) return std::nullopt;
  consensus::Message copy = in_flight_[random.below(in_flight_.size())].message;
  send(copy, now_step);
  return copy;
}

std::optional<consensus::Message> FaultNetwork::delay_random(
    DeterministicRandom& random, uint64_t until_step) {
  if (in_flight_.empty()) return std::nullopt;
  InFlight& held = in_flight_[random.below(in_flight_.size())];
  held.deliverable_at_step = until_step;
  return held.message;
}

void FaultNetwork::clear_delays() {
  for (InFlight& message : in_flight_) message.deliverable_at_step = 0;
}

void FaultNetwork::partition(const std::vector<std::vector<NodeId>>& groups) {
  group_of_.clear();
  for (size_t group = 0; group < groups.size(); ++group) {
    for (const NodeId node : groups[group]) group_of_[node] = group;
  }
}

bool FaultNetwork::connected(NodeId a, NodeId b) const {
  if (a == b || group_of_.empty()) return true;
  const auto in_a = group_of_.find(a);
  const auto in_b = group_of_.find(b);
  if (in_a == group_of_.end() || in_b == group_of_.end()) return false;
  return in_a->second == in_b->second;
}

}  // namespace quokka::testing::raft_property
