#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

#include "proto/envelope.pb.h"

namespace quokka::server {

// The messages waiting to be sent to one peer, in two lanes bounded
// together in count and bytes. Raft's own messages (appends, heartbeats,
// votes, their answers, acknowledgements) go in the first lane and are
// always sent before what waits in the second: value pushes and forwarded
// writes, which can be megabytes each. A heartbeat then never waits behind
// a backlog of values, so a leader busy pushing large values is not voted
// out for silence.
//
// Past either bound the oldest bulk message is dropped first, then the
// oldest Raft message; a bulk message that finds only Raft messages ahead
// of it is dropped itself. Dropping is safe: Raft resends what matters, a
// follower asks again for a value it lacks, and a forwarded write that
// never arrives ends indeterminate at its deadline.
class PeerOutbox {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    uint64_t messages_max = 1024;
    uint64_t bytes_max = 64 * 1024 * 1024;
  };
  struct Queued {
    proto::Envelope envelope;
    uint64_t bytes = 0;
    Clock::time_point since;
  };

  explicit PeerOutbox(Limits limits) : limits_(limits) {}

  // True for the kinds that ride in the bulk lane.
  static bool is_bulk(proto::MessageKind kind);

  // Queues `envelope`; whatever had to go to make room is handed to
  // `dropped` (oldest first) so its wait can be reported.
  template <typename OnDropped>
  void push(proto::Envelope envelope, Clock::time_point now, OnDropped&& dropped);

  // The next message to send: Raft's lane first.
  const Queued* front() const;
  // Removes what front() returned.
  Queued pop();

  bool empty() const { return raft_.empty() && bulk_.empty(); }
  uint64_t messages() const { return raft_.size() + bulk_.size(); }
  uint64_t bytes() const { return bytes_; }
  uint64_t dropped() const { return dropped_; }
  const Limits& limits() const { return limits_; }

 private:
  bool over(uint64_t extra_bytes) const {
    return messages() + 1 > limits_.messages_max || bytes_ + extra_bytes > limits_.bytes_max;
  }
  Queued take(std::deque<Queued>& lane);

  Limits limits_;
  std::deque<Queued> raft_;
  std::deque<Queued> bulk_;
  uint64_t bytes_ = 0;
  uint64_t dropped_ = 0;
};

template <typename OnDropped>
void PeerOutbox::push(proto::Envelope envelope, Clock::time_point now, OnDropped&& dropped) {
  const uint64_t size = envelope.ByteSizeLong();
  const bool bulk = is_bulk(envelope.kind());
  // Bounded: each turn removes one queued message.
  while (!empty() && over(size)) {
    if (!bulk_.empty()) {
      dropped(take(bulk_));
    } else if (bulk) {
      break;  // only Raft's messages ahead: this push is the one to go
    } else {
      dropped(take(raft_));
    }
  }
  Queued queued{std::move(envelope), size, now};
  if (!empty() && over(size)) {
    ++dropped_;
    dropped(std::move(queued));
    return;
  }
  bytes_ += size;
  (bulk ? bulk_ : raft_).push_back(std::move(queued));
}

}  // namespace quokka::server
