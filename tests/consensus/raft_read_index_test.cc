// Linearizable reads by ReadIndex (Raft thesis §6.4): a read is served at
// the commit index once a heartbeat round that started after the request
// confirmed leadership; never from a leader that has not committed in its
// term; given up when leadership changes.
#include <algorithm>

#include "tests/consensus/raft_test_support.h"

namespace quokka::testing {
namespace {

class ReadIndexTest : public RaftTest {};

TEST_F(ReadIndexTest, AReadGetsItsIndexOnlyAfterAHeartbeatRound) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  ASSERT_TRUE(cluster.propose(NodeId(1), "a=1").is_ok());
  cluster.deliver_all();
  const LogIndex committed = cluster.raft(NodeId(1)).committed();

  ASSERT_TRUE(cluster.read_index(NodeId(1), "r1").is_ok());
  EXPECT_TRUE(cluster.node(NodeId(1)).read_states().empty());
  // The round's heartbeats reach node 2, but its answer is not back yet.
  cluster.deliver_to(NodeId(2));
  EXPECT_TRUE(cluster.node(NodeId(1)).read_states().empty());
  // One answer makes a majority with the leader itself.
  const auto answers = cluster.deliver_once([](const Message& m) {
    return m.to == NodeId(1) && m.from == NodeId(2);
  });
  EXPECT_EQ(count_type(answers, MessageType::kHeartbeatResponse), 1u);
  EXPECT_EQ(cluster.node(NodeId(1)).read_states(),
            (std::vector<ReadState>{{committed, "r1"}}));
  EXPECT_GE(cluster.node(NodeId(1)).applied_index(), committed);
}

TEST_F(ReadIndexTest, AReadWhoseRoundIsLostIsNeverServed) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  ASSERT_TRUE(cluster.read_index(NodeId(1), "r1").is_ok());
  cluster.drop();
  // Later heartbeats belong to no round; they do not confirm this read.
  cluster.run_ticks(5);
  EXPECT_TRUE(cluster.node(NodeId(1)).read_states().empty());
}

TEST_F(ReadIndexTest, ConcurrentReadsShareOneRound) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.flush();
  ASSERT_TRUE(cluster.raft(NodeId(1)).read_index("r1").is_ok());
  ASSERT_TRUE(cluster.raft(NodeId(1)).read_index("r2").is_ok());
  const auto deliveries = cluster.deliver_all();
  EXPECT_EQ(count_type(deliveries, MessageType::kHeartbeat), 2u);
  const auto& reads = cluster.node(NodeId(1)).read_states();
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].context, "r1");
  EXPECT_EQ(reads[1].context, "r2");
}

TEST_F(ReadIndexTest, ANewLeaderServesNoReadBeforeItCommitsAnEntryOfItsTerm) {
  TestCluster& cluster = make_cluster(3);
  cluster.campaign(NodeId(1));
  cluster.deliver_while(is_election_traffic);
  ASSERT_EQ(cluster.raft(NodeId(1)).role(), Role::kLeader);
  const LogIndex term_start = cluster.raft(NodeId(1)).last_index();
  ASSERT_LT(cluster.raft(NodeId(1)).committed(), term_start);

  ASSERT_TRUE(cluster.read_index(NodeId(1), "r1").is_ok());
  // Heartbeats come and go, but the leader's appends do not.
  const auto heartbeat = of_type({MessageType::kHeartbeat, MessageType::kHeartbeatResponse});
  for (int i = 0; i < 3; ++i) {
    cluster.tick(NodeId(1));
    cluster.deliver_while(heartbeat);
  }
  EXPECT_TRUE(cluster.node(NodeId(1)).read_states().empty());

  cluster.deliver_all();
  ASSERT_GE(cluster.raft(NodeId(1)).committed(), term_start);
  const auto& reads = cluster.node(NodeId(1)).read_states();
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].context, "r1");
  EXPECT_GE(reads[0].index, term_start);
}

TEST_F(ReadIndexTest, ReadsAreDroppedWhenLeadershipChanges) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  ASSERT_TRUE(cluster.read_index(NodeId(1), "on-leader").is_ok());
  // A follower's read, forwarded to the leader.
  ASSERT_TRUE(cluster.read_index(NodeId(3), "on-follower").is_ok());
  cluster.deliver_once(of_type({MessageType::kReadIndex}));
  // Every heartbeat round is lost; then leadership moves to node 2.
  cluster.drop();
  ASSERT_TRUE(cluster.transfer_leadership(NodeId(1), NodeId(2)).is_ok());
  cluster.deliver_all();
  ASSERT_EQ(cluster.leader(), NodeId(2));

  EXPECT_TRUE(cluster.node(NodeId(1)).read_states().empty());
  EXPECT_EQ(cluster.node(NodeId(1)).dropped_reads(),
            (std::vector<std::string>{"on-leader"}));
  EXPECT_TRUE(cluster.node(NodeId(3)).read_states().empty());
  EXPECT_EQ(cluster.node(NodeId(3)).dropped_reads(),
            (std::vector<std::string>{"on-follower"}));
}

TEST_F(ReadIndexTest, AFollowerObtainsAReadIndexFromTheLeader) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  ASSERT_TRUE(cluster.propose(NodeId(1), "a=1").is_ok());
  cluster.deliver_all();
  const LogIndex committed = cluster.raft(NodeId(1)).committed();

  ASSERT_TRUE(cluster.read_index(NodeId(2), "f1").is_ok());
  EXPECT_TRUE(cluster.node(NodeId(2)).read_states().empty());
  const auto deliveries = cluster.deliver_all();
  EXPECT_EQ(count_type(deliveries, MessageType::kReadIndex), 1u);
  EXPECT_EQ(count_type(deliveries, MessageType::kReadIndexResponse), 1u);
  EXPECT_EQ(cluster.node(NodeId(2)).read_states(),
            (std::vector<ReadState>{{committed, "f1"}}));
  // The leader keeps no answer for itself.
  EXPECT_TRUE(cluster.node(NodeId(1)).read_states().empty());
}

TEST_F(ReadIndexTest, WithNoKnownLeaderAReadIsRefused) {
  TestCluster& cluster = make_cluster(3);
  const Status status = cluster.read_index(NodeId(2), "r");
  EXPECT_EQ(status.code(), ErrorCode::kNotLeader);
}

TEST_F(ReadIndexTest, ReadsBeyondTheQueueLimitAreRefused) {
  TestCluster& cluster = make_cluster(3, [](RaftOptions& options) {
    options.pending_reads_max = 2;
  });
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.isolate(NodeId(1));
  ASSERT_TRUE(cluster.read_index(NodeId(1), "r1").is_ok());
  ASSERT_TRUE(cluster.read_index(NodeId(1), "r2").is_ok());
  EXPECT_EQ(cluster.read_index(NodeId(1), "r3").code(), ErrorCode::kOverloaded);
}

}  // namespace
}  // namespace quokka::testing
