// Leadership transfer (thesis §3.10): the leader brings the target up to
// date, then tells it to campaign at once (TimeoutNow).
#include "tests/consensus/raft_test_support.h"

namespace quokka::testing {
namespace {

class LeaderTransferTest : public RaftTest {};

TEST_F(LeaderTransferTest, ToAnUpToDateVoterItCampaignsAtOnceAndWins) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  ASSERT_TRUE(cluster.propose(NodeId(1), "a=1").is_ok());
  cluster.deliver_all();
  const Term term = cluster.raft(NodeId(1)).term();

  ASSERT_TRUE(cluster.transfer_leadership(NodeId(1), NodeId(2)).is_ok());
  // No tick needed: the target is up to date, so TimeoutNow goes at once,
  // and its vote requests pass the other follower's CheckQuorum lease.
  const auto deliveries = cluster.deliver_all();
  EXPECT_EQ(count_type(deliveries, MessageType::kTimeoutNow), 1u);
  EXPECT_EQ(cluster.leader(), NodeId(2));
  EXPECT_EQ(cluster.raft(NodeId(2)).term(), Term(term.value() + 1));
  EXPECT_EQ(cluster.raft(NodeId(1)).role(), Role::kFollower);
  EXPECT_EQ(cluster.raft(NodeId(1)).leader(), NodeId(2));
  EXPECT_EQ(cluster.raft(NodeId(3)).leader(), NodeId(2));

  // The new leader serves proposals.
  ASSERT_TRUE(cluster.propose(NodeId(2), "b=2").is_ok());
  cluster.deliver_all();
  EXPECT_EQ(cluster.node(NodeId(1)).kv().at("b"), "2");
}

TEST_F(LeaderTransferTest, ToALaggingVoterItIsCaughtUpFirst) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.isolate(NodeId(3));
  for (const char* command : {"a=1", "b=2", "c=3"}) {
    ASSERT_TRUE(cluster.propose(NodeId(1), command).is_ok());
  }
  cluster.deliver_all();
  const LogIndex last = cluster.raft(NodeId(1)).last_index();
  ASSERT_LT(cluster.raft(NodeId(3)).last_index(), last);
  cluster.heal();

  ASSERT_TRUE(cluster.transfer_leadership(NodeId(1), NodeId(3)).is_ok());
  // During the transfer the leader takes no proposals.
  auto refused = cluster.propose(NodeId(1), "d=4");
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kNotLeader);

  std::vector<Delivery> deliveries = cluster.deliver_all();
  // Node 3 was probed while cut off, so the leader may wait for a heartbeat
  // answer before it resends: let a few ticks pass.
  for (int i = 0; i < 5 && cluster.leader() != NodeId(3); ++i) {
    cluster.tick(NodeId(1));
    auto more = cluster.deliver_all();
    deliveries.insert(deliveries.end(), more.begin(), more.end());
  }
  ASSERT_EQ(cluster.leader(), NodeId(3)) << cluster.status();
  // TimeoutNow went only once node 3 held the whole log.
  bool caught_up_first = false;
  for (const Delivery& d : deliveries) {
    if (d.message.type == MessageType::kAppendResponse && d.message.from == NodeId(3) &&
        !d.message.reject && d.message.index >= last) {
      caught_up_first = true;
    }
    if (d.message.type == MessageType::kTimeoutNow) {
      EXPECT_TRUE(caught_up_first) << "TimeoutNow before node 3 caught up";
    }
  }
  EXPECT_EQ(count_type(deliveries, MessageType::kTimeoutNow), 1u);
  cluster.deliver_all();
  EXPECT_EQ(cluster.node(NodeId(3)).applied_values(),
            (std::vector<std::string>{"a=1", "b=2", "c=3"}));
}

TEST_F(LeaderTransferTest, AnUnreachableTargetIsAbandonedAfterAnElectionTimeout) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.crash(NodeId(3));
  ASSERT_TRUE(cluster.transfer_leadership(NodeId(1), NodeId(3)).is_ok());
  EXPECT_EQ(cluster.raft(NodeId(1)).transfer_target(), NodeId(3));
  EXPECT_FALSE(cluster.propose(NodeId(1), "x").is_ok());

  const uint64_t timeout = default_raft_options(NodeId(1)).election_timeout_ticks;
  cluster.run_ticks(timeout);
  EXPECT_EQ(cluster.leader(), NodeId(1));
  EXPECT_EQ(cluster.raft(NodeId(1)).transfer_target(), NodeId(0));
  EXPECT_TRUE(cluster.propose(NodeId(1), "x").is_ok());
}

TEST_F(LeaderTransferTest, OnlyTheLeaderTransfersAndOnlyToAVoter) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  EXPECT_EQ(cluster.transfer_leadership(NodeId(2), NodeId(3)).code(), ErrorCode::kNotLeader);
  EXPECT_EQ(cluster.transfer_leadership(NodeId(1), NodeId(9)).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(cluster.raft(NodeId(1)).transfer_target(), NodeId(0));
}

}  // namespace
}  // namespace quokka::testing
