#pragma once

#include <chrono>
#include <cstdint>
#include <deque>

#include "proto/envelope.pb.h"

namespace quokka::server {

// The messages waiting to be sent to one peer, in two bounded lanes. The
// control lane (heartbeats, votes, every answer and acknowledgement) is
// always sent before the bulk lane: appends, snapshots, value pushes and
// forwarded writes, which can be megabytes each. A heartbeat then never
// waits behind a backlog of values, so a leader busy pushing large values
// is not voted out for silence; and since appends share the bulk lane with
// the pushes that go ahead of them, an append never overtakes its values.
//
// Each lane has its own bound, so neither crowds out the other: the
// control lane is bounded in count (its messages are small), the bulk lane
// in count and bytes. Past its bound a lane drops its own oldest message.
// Dropping is safe: Raft resends what matters, a follower asks again for a
// value it lacks, and a forwarded write that never arrives ends
// indeterminate at its deadline.
class PeerOutbox {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    // Messages in each lane.
    uint64_t messages_max = 1024;
    // Bytes in the bulk lane.
    uint64_t bytes_max = 64 * 1024 * 1024;
  };
  struct Queued {
    proto::Envelope envelope;
    uint64_t bytes = 0;
    Clock::time_point since;
  };

  explicit PeerOutbox(Limits limits) : limits_(limits) {}

  enum class Lane { kControl, kBulk };

  // Queues `envelope` in `lane`; whatever had to go to make room is handed
  // to `dropped` (oldest first) so its wait can be reported.
  template <typename OnDropped>
  void push(proto::Envelope envelope, Lane lane, Clock::time_point now, OnDropped&& dropped);

  // The next message to send: the control lane's first.
  const Queued* front() const;
  // The same, for a sender that moves the envelope's payload out as it
  // hands it to a socket (and then pops it).
  Queued* front();
  // Removes what front() returned.
  Queued pop();
  // Removes what front() returned without sending it, counted as dropped.
  Queued drop_front();

  bool empty() const { return control_.empty() && bulk_.empty(); }
  uint64_t messages() const { return control_.size() + bulk_.size(); }
  uint64_t bytes() const { return bytes_; }
  uint64_t bulk_bytes() const { return bulk_bytes_; }
  uint64_t dropped() const { return dropped_; }

 private:
  bool over(const std::deque<Queued>& lane, uint64_t extra_bytes) const {
    if (lane.size() + 1 > limits_.messages_max) return true;
    return &lane == &bulk_ && bulk_bytes_ + extra_bytes > limits_.bytes_max;
  }
  // Takes the oldest message of `lane` out, keeping the byte counts.
  Queued remove_front(std::deque<Queued>& lane);

  Limits limits_;
  std::deque<Queued> control_;
  std::deque<Queued> bulk_;
  uint64_t bytes_ = 0;
  uint64_t bulk_bytes_ = 0;
  uint64_t dropped_ = 0;
};

template <typename OnDropped>
void PeerOutbox::push(proto::Envelope envelope, Lane lane, Clock::time_point now,
                      OnDropped&& dropped) {
  const uint64_t size = envelope.ByteSizeLong();
  std::deque<Queued>& queue = lane == Lane::kBulk ? bulk_ : control_;
  // Bounded: each turn removes one queued message of the lane.
  while (!queue.empty() && over(queue, size)) {
    ++dropped_;
    dropped(remove_front(queue));
  }
  bytes_ += size;
  if (lane == Lane::kBulk) bulk_bytes_ += size;
  queue.push_back(Queued{std::move(envelope), size, now});
}

}  // namespace quokka::server
