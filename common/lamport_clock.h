#pragma once

#include <algorithm>
#include <cstdint>

namespace quokka {

// A Lamport clock (Lamport 1978): the causal time every message and every log
// line carries, so that the logs of several nodes merge into one order that
// respects "happened before". Never derived from a wall clock.
class LamportClock {
 public:
  LamportClock() = default;
  explicit LamportClock(uint64_t start) : time_(start) {}

  uint64_t now() const { return time_; }

  // Counts a send and returns the time to stamp on the message: t + 1.
  uint64_t tick_for_send() { return ++time_; }

  // Counts the receipt of a message stamped `message_time`:
  // t = max(t, message_time) + 1.
  void observe(uint64_t message_time) {
    time_ = std::max(time_, message_time) + 1;
  }

 private:
  uint64_t time_ = 0;
};

}  // namespace quokka
