#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace quokka::server {

// Round-trip time to one peer, timed on Raft heartbeats in the server layer
// (the core has no clock). A follower answers every heartbeat of its
// leader at once, on one connection per direction, so responses come back
// in the order of the heartbeats: the n-th response answers the n-th
// heartbeat. One heartbeat at a time is timed; the others are only counted.
//
// A heartbeat or response lost with a connection would shift that
// matching, so a lost link resets the count (reset()), and a timed
// heartbeat unanswered after kGiveUp is abandoned and the count resynced.
// An answer that was already on its way at a reset can still close the
// next timed heartbeat: the first sample after a reset may be too short.
class PeerRoundTrip {
 public:
  using Clock = std::chrono::steady_clock;
  // Longer than any round trip worth reporting: a peer that slow is down.
  static constexpr auto kGiveUp = std::chrono::seconds(5);

  void heartbeat_sent(Clock::time_point now);
  // The round trip in seconds when this response answers the timed
  // heartbeat; nothing otherwise.
  std::optional<double> response_received(Clock::time_point now);
  // The connection to or from the peer changed: forget what is in flight.
  void reset();

 private:
  struct Timed {
    uint64_t sequence = 0;  // the timed heartbeat's number
    Clock::time_point sent;
  };
  uint64_t sent_ = 0;
  uint64_t answered_ = 0;
  std::optional<Timed> timed_;
};

}  // namespace quokka::server
