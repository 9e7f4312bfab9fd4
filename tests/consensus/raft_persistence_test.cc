// The ordering rule written on Ready: a node persists before it sends what
// depends on its disk (vote grants, append acknowledgements), and applies
// only what it has persisted. A stalled disk holds those messages back; a
// crash loses what was not persisted, and Raft stays safe.
#include "tests/consensus/raft_test_support.h"

namespace quokka::testing {
namespace {

class PersistenceTest : public RaftTest {};

TEST_F(PersistenceTest, NoVoteIsGrantedBeforeItIsPersisted) {
  TestCluster& cluster = make_cluster(3);
  cluster.node(NodeId(2)).stall_disk();
  cluster.node(NodeId(3)).stall_disk();
  cluster.campaign(NodeId(1));
  const auto deliveries = cluster.deliver_all();
  EXPECT_EQ(count_type(deliveries, MessageType::kVoteResponse), 0u);
  EXPECT_NE(cluster.raft(NodeId(1)).role(), Role::kLeader);

  cluster.node(NodeId(2)).resume_disk();
  cluster.deliver_all();
  EXPECT_EQ(cluster.raft(NodeId(1)).role(), Role::kLeader);
  EXPECT_EQ(cluster.node(NodeId(2)).storage().hard_state().vote, NodeId(1));
}

TEST_F(PersistenceTest, AVoteLostInACrashBeforeItWasPersistedWasNeverSent) {
  TestCluster& cluster = make_cluster(3, paper_raft);
  cluster.node(NodeId(3)).stall_disk();
  cluster.campaign(NodeId(1));
  cluster.deliver_to(NodeId(3));
  // Node 3 voted for node 1 in memory only; the grant never left.
  EXPECT_EQ(cluster.raft(NodeId(3)).vote(), NodeId(1));
  cluster.crash(NodeId(3));
  cluster.restart(NodeId(3));
  EXPECT_EQ(cluster.raft(NodeId(3)).vote(), NodeId(0));
  EXPECT_EQ(cluster.raft(NodeId(3)).term(), Term(0));
  cluster.drop([](const Message& m) { return m.from == NodeId(3); });
  cluster.deliver_all();
  // Node 2's grant alone makes node 1 leader.
  EXPECT_EQ(cluster.raft(NodeId(1)).role(), Role::kLeader);
}

TEST_F(PersistenceTest, NoEntryIsAcknowledgedBeforeItIsPersisted) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  const LogIndex committed = cluster.raft(NodeId(1)).committed();
  cluster.node(NodeId(2)).stall_disk();
  cluster.node(NodeId(3)).stall_disk();
  auto position = cluster.propose(NodeId(1), "a=1");
  ASSERT_TRUE(position.is_ok());
  const auto deliveries = cluster.deliver_all();
  EXPECT_EQ(count_type(deliveries, MessageType::kAppendResponse), 0u);
  EXPECT_EQ(cluster.raft(NodeId(1)).committed(), committed);

  // Node 3 crashes with the entry unpersisted: it never claimed it.
  cluster.crash(NodeId(3));
  cluster.restart(NodeId(3));
  EXPECT_LT(cluster.raft(NodeId(3)).last_index(), position->index);

  cluster.node(NodeId(2)).resume_disk();
  cluster.deliver_all();
  EXPECT_GE(cluster.raft(NodeId(1)).committed(), position->index);
}

// The leader may send its entries before its own disk has them (step 1 of
// the rule): the followers' copies commit them. A leader that crashes before
// syncing loses them locally, but not from the cluster.
TEST_F(PersistenceTest, ALeaderCommitsWithFollowersWhileItsOwnDiskLags) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.node(NodeId(1)).stall_disk();
  auto position = cluster.propose(NodeId(1), "a=1");
  ASSERT_TRUE(position.is_ok());
  cluster.deliver_all();
  EXPECT_GE(cluster.raft(NodeId(1)).committed(), position->index);
  // Not persisted here, so not applied here.
  EXPECT_LT(cluster.node(NodeId(1)).applied_index(), position->index);
  EXPECT_LT(cluster.node(NodeId(1)).storage().last_index(), position->index);

  cluster.crash(NodeId(1));
  cluster.restart(NodeId(1));
  EXPECT_LT(cluster.raft(NodeId(1)).last_index(), position->index);
  cluster.run_ticks(60);
  const NodeId leader = cluster.leader();
  ASSERT_NE(leader, NodeId(0)) << cluster.status();
  cluster.run_ticks(2);
  for (NodeId id : cluster.ids()) {
    EXPECT_EQ(cluster.node(id).kv().at("a"), "1") << "node " << id;
  }
}

TEST_F(PersistenceTest, PipelinedReadiesCompleteInOrderOnceTheDiskResumes) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.node(NodeId(2)).stall_disk();
  for (const char* command : {"a=1", "b=2", "c=3"}) {
    ASSERT_TRUE(cluster.propose(NodeId(1), command).is_ok());
    cluster.deliver_all();
  }
  EXPECT_GE(cluster.node(NodeId(2)).stalled_readies(), 3u);
  cluster.node(NodeId(2)).resume_disk();
  cluster.run_ticks(2);
  EXPECT_EQ(cluster.node(NodeId(2)).applied_values(),
            (std::vector<std::string>{"a=1", "b=2", "c=3"}));
  EXPECT_EQ(cluster.node(NodeId(2)).persisted_entries(),
            cluster.node(NodeId(1)).persisted_entries());
}

}  // namespace
}  // namespace quokka::testing
