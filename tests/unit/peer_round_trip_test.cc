// Round trips timed on heartbeats: responses are matched to heartbeats by
// order, one heartbeat timed at a time, and a lost link or answer resyncs.
#include <gtest/gtest.h>

#include "server/peer_round_trip.h"

namespace quokka::server {
namespace {

using namespace std::chrono_literals;
using Clock = PeerRoundTrip::Clock;

TEST(PeerRoundTripTest, TimesTheFirstHeartbeatToItsOwnResponse) {
  PeerRoundTrip rtt;
  const Clock::time_point t0{};
  rtt.heartbeat_sent(t0);
  rtt.heartbeat_sent(t0 + 100ms);  // counted, not timed
  EXPECT_DOUBLE_EQ(*rtt.response_received(t0 + 30ms), 0.030);
  // The second response answers the untimed heartbeat.
  EXPECT_FALSE(rtt.response_received(t0 + 130ms).has_value());
  rtt.heartbeat_sent(t0 + 200ms);
  EXPECT_DOUBLE_EQ(*rtt.response_received(t0 + 207ms), 0.007);
}

TEST(PeerRoundTripTest, WithResponsesSlowerThanHeartbeatsTheTimedOneStillMatches) {
  PeerRoundTrip rtt;
  const Clock::time_point t0{};
  rtt.heartbeat_sent(t0);                          // 1, timed
  EXPECT_DOUBLE_EQ(*rtt.response_received(t0 + 250ms), 0.250);
  rtt.heartbeat_sent(t0 + 300ms);  // 2, timed (sent after 1 was answered)
  rtt.heartbeat_sent(t0 + 400ms);                  // 3
  rtt.heartbeat_sent(t0 + 500ms);                  // 4
  EXPECT_DOUBLE_EQ(*rtt.response_received(t0 + 550ms), 0.250);  // answers 2
  EXPECT_FALSE(rtt.response_received(t0 + 650ms).has_value());  // answers 3
}

TEST(PeerRoundTripTest, AnUnansweredHeartbeatIsAbandonedAfterTheGiveUpTime) {
  PeerRoundTrip rtt;
  const Clock::time_point t0{};
  rtt.heartbeat_sent(t0);  // lost
  rtt.heartbeat_sent(t0 + PeerRoundTrip::kGiveUp + 1ms);
  // Everything before is written off; this response answers the new one.
  EXPECT_DOUBLE_EQ(*rtt.response_received(t0 + PeerRoundTrip::kGiveUp + 21ms), 0.020);
}

TEST(PeerRoundTripTest, AfterAResetOldResponsesTimeNothing) {
  PeerRoundTrip rtt;
  const Clock::time_point t0{};
  rtt.heartbeat_sent(t0);
  rtt.heartbeat_sent(t0 + 100ms);
  rtt.reset();
  EXPECT_FALSE(rtt.response_received(t0 + 150ms).has_value());
  EXPECT_FALSE(rtt.response_received(t0 + 160ms).has_value());
  rtt.heartbeat_sent(t0 + 200ms);
  EXPECT_DOUBLE_EQ(*rtt.response_received(t0 + 210ms), 0.010);
}

}  // namespace
}  // namespace quokka::server
