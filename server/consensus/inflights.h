#pragma once

#include <cstdint>
#include <deque>

#include "common/types.h"

namespace quokka::consensus {

// The append messages sent to one follower and not yet acknowledged, bounded
// in count and in bytes (etcd-raft's Inflights). The leader stops sending
// new entries to a follower whose window is full until acknowledgements free
// it, so a slow follower never makes the leader buffer without limit.
class Inflights {
 public:
  Inflights(uint64_t messages_max, uint64_t bytes_max)
      : messages_max_(messages_max), bytes_max_(bytes_max) {}

  // Records a message whose last entry is `last_index`. Requires !full() and
  // last_index greater than every index recorded so far.
  void add(LogIndex last_index, uint64_t bytes);

  // Frees every message whose last index is <= `index` (an acknowledgement
  // of everything up to it).
  void free_through(LogIndex index);
  // Frees the oldest message (its acknowledgement was presumably lost).
  void free_first();
  void reset();

  // Either bound reached. A message of any size may go when the window is
  // empty, so one oversized entry cannot stall a follower forever.
  bool full() const {
    return messages_.size() >= messages_max_ || bytes_ >= bytes_max_;
  }
  uint64_t count() const { return messages_.size(); }
  uint64_t bytes() const { return bytes_; }

 private:
  struct Inflight {
    LogIndex last_index;
    uint64_t bytes;
  };
  uint64_t messages_max_;
  uint64_t bytes_max_;
  uint64_t bytes_ = 0;
  std::deque<Inflight> messages_;
};

}  // namespace quokka::consensus
