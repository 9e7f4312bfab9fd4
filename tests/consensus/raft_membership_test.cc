// Membership changes (thesis §4.1, one server at a time) and learners
// (thesis §4.2.1): a learner receives the log but counts in no quorum.
#include <algorithm>

#include "tests/consensus/raft_test_support.h"

namespace quokka::testing {
namespace {

class MembershipTest : public RaftTest {
 protected:
  // A committed membership change, proposed on node 1.
  void change(TestCluster& cluster, ConfChangeType type, NodeId node) {
    auto position = cluster.propose_conf_change(NodeId(1), ConfChange{type, node});
    ASSERT_TRUE(position.is_ok()) << position.status().to_string();
    cluster.deliver_all();
    ASSERT_GE(cluster.raft(NodeId(1)).committed(), position->index) << cluster.status();
  }

  static bool holds_index(TestCluster& cluster, NodeId id, LogIndex index) {
    return cluster.raft(id).last_index() >= index;
  }
};

TEST_F(MembershipTest, ALearnerGetsTheLogButNeverCountsInAQuorum) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.add_node(NodeId(4));
  cluster.add_node(NodeId(5));
  change(cluster, ConfChangeType::kAddLearner, NodeId(4));
  change(cluster, ConfChangeType::kAddLearner, NodeId(5));
  EXPECT_EQ(cluster.raft(NodeId(1)).conf_state().learners,
            (std::vector<NodeId>{NodeId(4), NodeId(5)}));

  ASSERT_TRUE(cluster.propose(NodeId(1), "a=1").is_ok());
  cluster.run_ticks(2);
  EXPECT_EQ(cluster.node(NodeId(4)).kv().at("a"), "1");
  EXPECT_EQ(cluster.raft(NodeId(4)).conf_state(), cluster.raft(NodeId(1)).conf_state());

  // One voter and two learners are alive: three nodes hold the entry, but
  // only one of three voters does.
  cluster.crash(NodeId(2));
  cluster.crash(NodeId(3));
  const LogIndex committed = cluster.raft(NodeId(1)).committed();
  auto position = cluster.propose(NodeId(1), "b=2");
  ASSERT_TRUE(position.is_ok()) << position.status().to_string();
  cluster.deliver_all();
  EXPECT_TRUE(holds_index(cluster, NodeId(4), position->index));
  EXPECT_TRUE(holds_index(cluster, NodeId(5), position->index));
  EXPECT_EQ(cluster.raft(NodeId(1)).committed(), committed);
  for (NodeId id : {NodeId(1), NodeId(4), NodeId(5)}) {
    EXPECT_EQ(cluster.node(id).kv().count("b"), 0u) << "node " << id;
  }

  // A second voter back makes a majority of voters.
  cluster.restart(NodeId(2));
  cluster.run_ticks(3);
  EXPECT_GE(cluster.raft(NodeId(1)).committed(), position->index);
  EXPECT_EQ(cluster.node(NodeId(5)).kv().at("b"), "2");
}

TEST_F(MembershipTest, ALearnerNeverCampaigns) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.add_node(NodeId(4));
  change(cluster, ConfChangeType::kAddLearner, NodeId(4));
  const Term term = cluster.raft(NodeId(4)).term();
  // Even cut off from its leader for a long time.
  cluster.isolate(NodeId(4));
  cluster.tick(NodeId(4), 100);
  cluster.campaign(NodeId(4));
  cluster.deliver_all();
  EXPECT_EQ(cluster.raft(NodeId(4)).role(), Role::kFollower);
  EXPECT_EQ(cluster.raft(NodeId(4)).term(), term);
  EXPECT_EQ(cluster.leader(), NodeId(1));
}

TEST_F(MembershipTest, APromotedLearnerCountsInTheQuorum) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.add_node(NodeId(4));
  change(cluster, ConfChangeType::kAddLearner, NodeId(4));
  change(cluster, ConfChangeType::kPromoteLearner, NodeId(4));
  for (NodeId id : cluster.ids()) {
    EXPECT_EQ(cluster.raft(id).conf_state().voters,
              (std::vector<NodeId>{NodeId(1), NodeId(2), NodeId(3), NodeId(4)}))
        << "node " << id;
    EXPECT_TRUE(cluster.raft(id).conf_state().learners.empty()) << "node " << id;
  }

  // Four voters need three. With node 3 down and node 4 cut off, nodes 1
  // and 2 would be a majority of the old three voters, but not of four.
  cluster.crash(NodeId(3));
  cluster.isolate(NodeId(4));
  auto position = cluster.propose(NodeId(1), "c=3");
  ASSERT_TRUE(position.is_ok()) << position.status().to_string();
  cluster.deliver_all();
  EXPECT_LT(cluster.raft(NodeId(1)).committed(), position->index);

  cluster.heal();
  cluster.run_ticks(3);
  EXPECT_GE(cluster.raft(NodeId(1)).committed(), position->index);
  EXPECT_EQ(cluster.node(NodeId(4)).kv().at("c"), "3");

  // And the new voter can lead.
  ASSERT_TRUE(cluster.transfer_leadership(NodeId(1), NodeId(4)).is_ok());
  cluster.run_ticks(3);
  EXPECT_EQ(cluster.leader(), NodeId(4));
}

TEST_F(MembershipTest, OneChangeAtATimeAndOnlyAfterTheLeaderCommittedInItsTerm) {
  TestCluster& cluster = make_cluster(3);
  cluster.campaign(NodeId(1));
  cluster.deliver_while(is_election_traffic);
  ASSERT_EQ(cluster.raft(NodeId(1)).role(), Role::kLeader);
  // The leader's empty entry is not committed yet.
  auto early = cluster.propose_conf_change(NodeId(1), {ConfChangeType::kAddLearner, NodeId(4)});
  ASSERT_FALSE(early.is_ok());
  EXPECT_EQ(early.status().code(), ErrorCode::kOverloaded);

  cluster.deliver_all();
  ASSERT_TRUE(
      cluster.propose_conf_change(NodeId(1), {ConfChangeType::kAddLearner, NodeId(4)}).is_ok());
  auto second = cluster.propose_conf_change(NodeId(1), {ConfChangeType::kAddLearner, NodeId(5)});
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kOverloaded);

  auto invalid = cluster.propose_conf_change(NodeId(1),
                                             {ConfChangeType::kPromoteLearner, NodeId(2)});
  // Either refused for the pending change or as invalid; never accepted.
  EXPECT_FALSE(invalid.is_ok());
}

TEST_F(MembershipTest, PromotingANonLearnerIsInvalid) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  auto invalid = cluster.propose_conf_change(NodeId(1),
                                             {ConfChangeType::kPromoteLearner, NodeId(2)});
  ASSERT_FALSE(invalid.is_ok());
  EXPECT_EQ(invalid.status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(MembershipTest, ARemovedFollowerNoLongerCountsOrReceives) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  change(cluster, ConfChangeType::kRemoveMember, NodeId(3));
  EXPECT_EQ(cluster.raft(NodeId(1)).conf_state().voters,
            (std::vector<NodeId>{NodeId(1), NodeId(2)}));
  EXPECT_EQ(cluster.raft(NodeId(1)).progress(NodeId(3)), nullptr);

  // Two voters need both: with node 2 cut off nothing commits, whatever
  // node 3 does.
  cluster.isolate(NodeId(2));
  auto position = cluster.propose(NodeId(1), "a=1");
  ASSERT_TRUE(position.is_ok());
  const auto deliveries = cluster.deliver_all();
  for (const Delivery& d : deliveries) {
    EXPECT_NE(d.message.to, NodeId(3)) << describe(d);
  }
  EXPECT_LT(cluster.raft(NodeId(1)).committed(), position->index);
  cluster.heal();
  cluster.run_ticks(2);
  EXPECT_GE(cluster.raft(NodeId(1)).committed(), position->index);
}

// Thesis §4.2.2: a leader that is removed steps down once the change is
// committed, and the remaining voters go on under a leader of their own.
TEST_F(MembershipTest, ARemovedLeaderStepsDownAndTheRestElectANewOne) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  change(cluster, ConfChangeType::kRemoveMember, NodeId(1));
  cluster.run_ticks(60);
  const NodeId leader = cluster.leader();
  EXPECT_TRUE(leader == NodeId(2) || leader == NodeId(3)) << cluster.status();
  if (leader == NodeId(0)) return;
  auto position = cluster.propose(leader, "after=1");
  ASSERT_TRUE(position.is_ok()) << position.status().to_string();
  cluster.run_ticks(2);
  EXPECT_EQ(cluster.node(NodeId(2)).kv().at("after"), "1");
  EXPECT_EQ(cluster.node(NodeId(3)).kv().at("after"), "1");
}

}  // namespace
}  // namespace quokka::testing
