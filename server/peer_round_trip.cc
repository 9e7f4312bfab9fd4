#include "server/peer_round_trip.h"

namespace quokka::server {

void PeerRoundTrip::heartbeat_sent(Clock::time_point now) {
  if (timed_ && now - timed_->sent > kGiveUp) {
    // Lost on the way, or its answer was: count everything sent so far as
    // answered, so the next response is matched to a later heartbeat.
    answered_ = sent_;
    timed_.reset();
  }
  ++sent_;
  if (!timed_) timed_ = Timed{sent_, now};
}

std::optional<double> PeerRoundTrip::response_received(Clock::time_point now) {
  // More responses than heartbeats: answers to heartbeats sent before a
  // reset. They say nothing about the timed one.
  if (answered_ >= sent_) return std::nullopt;
  ++answered_;
  if (!timed_ || answered_ < timed_->sequence) return std::nullopt;
  const double seconds = std::chrono::duration<double>(now - timed_->sent).count();
  timed_.reset();
  return seconds;
}

void PeerRoundTrip::reset() {
  answered_ = sent_;
  timed_.reset();
}

}  // namespace quokka::server
