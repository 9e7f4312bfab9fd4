// Lamport clocks (DESIGN: every message carries the sender's Lamport time):
// t + 1 on each send, max(t, t_message) + 1 on each receipt.
#include <map>

#include "tests/consensus/raft_test_support.h"

namespace quokka::testing {
namespace {

class LamportTest : public RaftTest {};

// The messages `from` has queued, oldest first.
std::vector<Message> queued_from(TestCluster& cluster, NodeId from) {
  std::vector<Message> messages;
  for (const Message& m : cluster.queued()) {
    if (m.from == from) messages.push_back(m);
  }
  return messages;
}

TEST_F(LamportTest, EverySendAdvancesTheSendersClock) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  const uint64_t before = cluster.raft(NodeId(1)).lamport_time();
  cluster.tick(NodeId(1));  // one heartbeat to each follower
  const std::vector<Message> sent = queued_from(cluster, NodeId(1));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].lamport_time, before + 1);
  EXPECT_EQ(sent[1].lamport_time, before + 2);
  EXPECT_EQ(cluster.raft(NodeId(1)).lamport_time(), before + 2);
}

TEST_F(LamportTest, AReceiverBehindJumpsPastTheMessage) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  // Node 1 sends many heartbeats that node 2 never sees, so its clock runs
  // far ahead of node 2's.
  cluster.tick(NodeId(1), 5);
  cluster.drop([](const Message& m) { return m.to == NodeId(3); });
  std::vector<Message> to_two = queued_from(cluster, NodeId(1));
  ASSERT_EQ(to_two.size(), 5u);
  const Message last = to_two.back();
  cluster.drop([&](const Message& m) { return !(m == last); });

  const uint64_t receiver_before = cluster.raft(NodeId(2)).lamport_time();
  ASSERT_LT(receiver_before, last.lamport_time);
  cluster.deliver_once([](const Message&) { return true; });
  const std::vector<Message> answers = queued_from(cluster, NodeId(2));
  ASSERT_EQ(answers.size(), 1u);
  // Receipt: max(t, t_message) + 1; then the answer's send: + 1.
  EXPECT_EQ(answers[0].lamport_time, last.lamport_time + 2);
  EXPECT_EQ(cluster.raft(NodeId(2)).lamport_time(), last.lamport_time + 2);
}

TEST_F(LamportTest, AReceiverAheadKeepsItsOwnClockPlusOne) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.tick(NodeId(1), 2);
  cluster.drop([](const Message& m) { return m.to == NodeId(3); });
  // Two heartbeats to node 2; deliver the newer first, then the older.
  std::vector<Message> to_two = queued_from(cluster, NodeId(1));
  ASSERT_EQ(to_two.size(), 2u);
  const Message older = to_two[0];
  const Message newer = to_two[1];
  cluster.deliver_once([&](const Message& m) { return m == newer; });
  cluster.drop([](const Message& m) { return m.from == NodeId(2); });
  const uint64_t receiver_before = cluster.raft(NodeId(2)).lamport_time();
  ASSERT_GT(receiver_before, older.lamport_time);

  cluster.deliver_once([&](const Message& m) { return m == older; });
  const std::vector<Message> answers = queued_from(cluster, NodeId(2));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].lamport_time, receiver_before + 2);
}

// Over a whole run with elections, proposals and a partition, each node's
// stamps rise with every send (the queue keeps each sender's order), and a
// node that received a message is later than it.
TEST_F(LamportTest, StampsRiseOverAWholeRun) {
  TestCluster& cluster = make_cluster(3);
  std::map<NodeId, uint64_t> last_sent;
  auto check = [&](const std::vector<Delivery>& deliveries) {
    for (const Delivery& d : deliveries) {
      const Message& m = d.message;
      EXPECT_GT(m.lamport_time, last_sent[m.from]) << describe(d);
      last_sent[m.from] = m.lamport_time;
      if (d.lost.empty()) {
        EXPECT_GT(cluster.raft(m.to).lamport_time(), m.lamport_time) << describe(d);
      }
    }
  };
  cluster.campaign(NodeId(1));
  check(cluster.deliver_all());
  for (int i = 0; i < 30; ++i) {
    if (i == 10) cluster.isolate(NodeId(1));
    if (i == 25) cluster.heal();
    if (cluster.leader() != NodeId(0)) {
      (void)cluster.propose(cluster.leader(), "k" + std::to_string(i) + "=v");
    }
    cluster.tick_all();
    check(cluster.deliver_all());
  }
}

}  // namespace
}  // namespace quokka::testing
