#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "common/deterministic_random.h"
#include "common/types.h"
#include "server/consensus/message.h"

namespace quokka::testing::raft_property {

// The messages between simulated nodes, and everything a real network may
// do to them: lose, duplicate, reorder and delay them, or cut the cluster
// in parts. Time is the schedule's step counter, never a clock; every choice
// comes from the schedule's one DeterministicRandom.
class FaultNetwork {
 public:
  // A message sent and not yet delivered or lost.
  struct InFlight {
    uint64_t sequence = 0;  // send order, unique
    consensus::Message message;
    // Delayed messages are not delivered before this step.
    uint64_t deliverable_at_step = 0;
  };

  // More messages in flight than `in_flight_max` drops the oldest, as a
  // full router queue would.
  explicit FaultNetwork(size_t in_flight_max) : in_flight_max_(in_flight_max) {}

  // Queues `message`, unless a partition separates its ends.
  void send(consensus::Message message, uint64_t now_step);

  // The oldest message deliverable at `now_step`, removed from flight, or
  // nullopt. A message whose ends a partition now separates is lost instead
  // (and counted in lost_to_partition()).
  std::optional<consensus::Message> take_oldest(uint64_t now_step);
  // The same for a random deliverable message (reordering).
  std::optional<consensus::Message> take_random(DeterministicRandom& random,
                                                uint64_t now_step);
  // Loses / copies / holds back a random message in flight; the message
  // affected, or nullopt when none is in flight.
  std::optional<consensus::Message> drop_random(DeterministicRandom& random);
  std::optional<consensus::Message> duplicate_random(
      DeterministicRandom& random, uint64_t now_step);
  std::optional<consensus::Message> delay_random(DeterministicRandom& random,
                                                 uint64_t until_step);
  // Every message is deliverable again (the network settles).
  void clear_delays();

  // Splits the cluster: nodes in different groups cannot exchange messages.
  // Nodes not named are in a group of their own.
  void partition(const std::vector<std::vector<NodeId>>& groups);
  void heal() { group_of_.clear(); }
  bool partitioned() const { return !group_of_.empty(); }
  bool connected(NodeId a, NodeId b) const;

  // Snapshot messages the network lost (to a partition or a full queue)
  // since the last call, for the transport to report to their senders.
  std::vector<consensus::Message> take_lost_snapshots();

  size_t in_flight() const { return in_flight_.size(); }
  uint64_t lost_to_partition() const { return lost_to_partition_; }
  uint64_t lost_to_overflow() const { return lost_to_overflow_; }

 private:
  std::optional<consensus::Message> take_at(size_t position);
  void lost(consensus::Message message);
  // Positions in in_flight_ of the messages deliverable at `now_step`.
  std::vector<size_t> deliverable(uint64_t now_step) const;

  size_t in_flight_max_;
  std::deque<InFlight> in_flight_;
  uint64_t next_sequence_ = 1;
  // Empty when there is no partition.
  std::map<NodeId, size_t> group_of_;
  std::vector<consensus::Message> lost_snapshots_;
  uint64_t lost_to_partition_ = 0;
  uint64_t lost_to_overflow_ = 0;
};

}  // namespace quokka::testing::raft_property
