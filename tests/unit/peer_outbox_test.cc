// The outgoing queue of one peer: control messages go ahead of the bulk
// lane (appends, value pushes), each lane in its own order with its own
// bound (count for control, bytes and count for bulk), and a full lane
// drops its own oldest message, never the other lane's.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/peer_outbox.h"

namespace quokka::server {
namespace {

using Lane = PeerOutbox::Lane;

struct Message {
  proto::Envelope envelope;
  Lane lane;
};

Message message(Lane lane, uint64_t id, size_t payload_bytes) {
  proto::Envelope envelope;
  envelope.set_kind(lane == Lane::kBulk ? proto::MESSAGE_KIND_BLOB_CHUNK
                                        : proto::MESSAGE_KIND_RAFT_MESSAGE);
  envelope.set_request_id(id);
  envelope.set_payload(std::string(payload_bytes, 'x'));
  return Message{std::move(envelope), lane};
}

// A heartbeat, vote or answer.
Message raft(uint64_t id, size_t bytes = 10) { return message(Lane::kControl, id, bytes); }
// An append, a value push, a forwarded write.
Message push(uint64_t id, size_t bytes) { return message(Lane::kBulk, id, bytes); }

struct Outbox {
  explicit Outbox(PeerOutbox::Limits limits) : box(limits) {}
  void add(Message message) {
    box.push(std::move(message.envelope), message.lane, PeerOutbox::Clock::now(),
             [this](const PeerOutbox::Queued& gone) {
               dropped.push_back(gone.envelope.request_id());
             });
  }
  std::vector<uint64_t> drain() {
    std::vector<uint64_t> order;
    while (!box.empty()) order.push_back(box.pop().envelope.request_id());
    return order;
  }
  PeerOutbox box;
  std::vector<uint64_t> dropped;
};

TEST(PeerOutboxTest, ControlMessagesGoAheadOfTheBulkLaneEachLaneInOrder) {
  Outbox out({.messages_max = 100, .bytes_max = 1 << 20});
  out.add(push(1, 1000));
  out.add(raft(2));
  out.add(push(3, 1000));
  out.add(push(4, 100));
  out.add(raft(5));
  out.add(raft(6));
  EXPECT_EQ(out.drain(), (std::vector<uint64_t>{2, 5, 6, 1, 3, 4}));
  EXPECT_TRUE(out.dropped.empty());
  EXPECT_EQ(out.box.bytes(), 0u);
}

TEST(PeerOutboxTest, PastTheByteBoundTheOldestPushGoesFirstNeverAHeartbeat) {
  Outbox out({.messages_max = 100, .bytes_max = 3000});
  out.add(raft(1));
  out.add(push(2, 1200));
  out.add(push(3, 1200));
  out.add(push(4, 1200));  // 3,600+ bytes: push 2 goes
  EXPECT_EQ(out.dropped, (std::vector<uint64_t>{2}));
  out.add(raft(5));
  EXPECT_LE(out.box.bytes(), 3000u);
  EXPECT_EQ(out.box.dropped(), 1u);
  EXPECT_EQ(out.drain(), (std::vector<uint64_t>{1, 5, 3, 4}));
}

TEST(PeerOutboxTest, RaftMessagesDoNotCountAgainstThePushesBytes) {
  Outbox out({.messages_max = 100, .bytes_max = 1000});
  out.add(raft(1, 400));
  out.add(raft(2, 400));
  out.add(push(3, 400));
  out.add(raft(4, 400));
  EXPECT_TRUE(out.dropped.empty());
  EXPECT_EQ(out.drain(), (std::vector<uint64_t>{1, 2, 4, 3}));
}

TEST(PeerOutboxTest, RaftMessagesPastTheBoundDropTheOldestRaftMessage) {
  Outbox out({.messages_max = 2, .bytes_max = 1 << 20});
  out.add(raft(1));
  out.add(raft(2));
  out.add(push(3, 10));
  out.add(raft(4));
  EXPECT_EQ(out.dropped, (std::vector<uint64_t>{1}));
  EXPECT_EQ(out.box.messages(), 3u);
  EXPECT_EQ(out.drain(), (std::vector<uint64_t>{2, 4, 3}));
}

TEST(PeerOutboxTest, AMessageLargerThanTheBoundStillGoesWhenNothingElseWaits) {
  Outbox out({.messages_max = 10, .bytes_max = 1000});
  out.add(push(1, 5000));
  EXPECT_TRUE(out.dropped.empty());
  out.add(push(2, 10));  // over the bound: the big one goes
  EXPECT_EQ(out.dropped, (std::vector<uint64_t>{1}));
  EXPECT_EQ(out.drain(), (std::vector<uint64_t>{2}));
}

}  // namespace
}  // namespace quokka::server
