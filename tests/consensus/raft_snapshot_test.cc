// Snapshots (Raft §7): a follower that lags behind the leader's compacted
// log gets the snapshot instead of the entries it no longer has.
#include "tests/consensus/raft_test_support.h"

namespace quokka::testing {
namespace {

class SnapshotTest : public RaftTest {
 protected:
  // Node 3 misses five proposals, after which the leader compacts its log
  // through everything it applied.
  TestCluster& lagging_follower_and_compacted_leader() {
    TestCluster& cluster = make_cluster(3);
    EXPECT_TRUE(cluster.elect(NodeId(1)));
    cluster.isolate(NodeId(3));
    for (int i = 1; i <= 5; ++i) {
      EXPECT_TRUE(cluster.propose(NodeId(1), "k" + std::to_string(i) + "=v").is_ok());
    }
    cluster.deliver_all();
    TestNode& leader = cluster.node(NodeId(1));
    snapshot_index_ = leader.applied_index();
    EXPECT_EQ(snapshot_index_, cluster.raft(NodeId(1)).last_index());
    leader.compact(snapshot_index_);
    EXPECT_EQ(leader.storage().first_index(), LogIndex(snapshot_index_.value() + 1));
    return cluster;
  }

  LogIndex snapshot_index_;
};

TEST_F(SnapshotTest, AFollowerBehindTheCompactedLogInstallsTheLeadersSnapshot) {
  TestCluster& cluster = lagging_follower_and_compacted_leader();
  ASSERT_LT(cluster.raft(NodeId(3)).last_index(), snapshot_index_);

  cluster.heal();
  std::vector<Delivery> deliveries;
  for (int i = 0; i < 5; ++i) {
    cluster.tick_all();
    auto more = cluster.deliver_all();
    deliveries.insert(deliveries.end(), more.begin(), more.end());
  }
  EXPECT_GE(count_type(deliveries, MessageType::kSnapshot), 1u);
  const TestNode& follower = cluster.node(NodeId(3));
  EXPECT_EQ(follower.storage().snapshot()->metadata.last.index, snapshot_index_);
  EXPECT_EQ(follower.storage().first_index(), LogIndex(snapshot_index_.value() + 1));
  EXPECT_EQ(follower.applied_index(), snapshot_index_);
  EXPECT_EQ(follower.kv(), cluster.node(NodeId(1)).kv());
  EXPECT_EQ(follower.storage().snapshot_conf_state(), cluster.raft(NodeId(1)).conf_state());

  // Replication goes on from the snapshot.
  auto position = cluster.propose(NodeId(1), "after=1");
  ASSERT_TRUE(position.is_ok());
  cluster.deliver_all();
  EXPECT_EQ(cluster.node(NodeId(3)).kv().at("after"), "1");
  EXPECT_EQ(cluster.raft(NodeId(3)).committed(), position->index);
}

TEST_F(SnapshotTest, AnInstalledSnapshotSurvivesACrash) {
  TestCluster& cluster = lagging_follower_and_compacted_leader();
  cluster.heal();
  cluster.run_ticks(5);
  ASSERT_EQ(cluster.node(NodeId(3)).applied_index(), snapshot_index_);

  cluster.crash(NodeId(3));
  cluster.restart(NodeId(3));
  EXPECT_EQ(cluster.node(NodeId(3)).applied_index(), snapshot_index_);
  EXPECT_EQ(cluster.node(NodeId(3)).kv(), cluster.node(NodeId(1)).kv());
  EXPECT_EQ(cluster.raft(NodeId(3)).last_index(), snapshot_index_);
}

TEST_F(SnapshotTest, AFollowerThatHasTheEntriesGetsNoSnapshot) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  ASSERT_TRUE(cluster.propose(NodeId(1), "a=1").is_ok());
  cluster.deliver_all();
  cluster.node(NodeId(1)).compact(cluster.node(NodeId(1)).applied_index());
  ASSERT_TRUE(cluster.propose(NodeId(1), "b=2").is_ok());
  const auto deliveries = cluster.deliver_all();
  EXPECT_EQ(count_type(deliveries, MessageType::kSnapshot), 0u);
  EXPECT_EQ(cluster.node(NodeId(3)).kv().at("b"), "2");
}

}  // namespace
}  // namespace quokka::testing
