// What a proposer sees: NOT_LEADER away from the leader, OVERLOADED past the
// uncommitted-bytes limit, and the position where its commands landed.
#include "tests/consensus/raft_test_support.h"

namespace quokka::testing {
namespace {

class ProposalTest : public RaftTest {};

TEST_F(ProposalTest, AFollowerRefusesProposalsWithNotLeader) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  const LogIndex last = cluster.raft(NodeId(2)).last_index();
  auto result = cluster.propose(NodeId(2), "x=1");
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNotLeader);
  EXPECT_NE(result.status().message().find('1'), std::string::npos)
      << "the refusal should name the leader: " << result.status().message();
  EXPECT_EQ(cluster.raft(NodeId(2)).last_index(), last);
  EXPECT_TRUE(cluster.queued().empty());
}

TEST_F(ProposalTest, ANodeWithNoLeaderRefusesProposals) {
  TestCluster& cluster = make_cluster(3);
  auto result = cluster.propose(NodeId(1), "x=1");
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNotLeader);
}

TEST_F(ProposalTest, AProposalReturnsWhereItsCommandsLanded) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.flush();
  auto position = cluster.raft(NodeId(1)).propose({"a=1", "b=2"});
  ASSERT_TRUE(position.is_ok()) << position.status().to_string();
  cluster.deliver_all();
  const Term term = cluster.raft(NodeId(1)).term();
  EXPECT_EQ(*position, (LogPosition{LogIndex(3), term}));
  const auto& applied = cluster.node(NodeId(2)).applied_commands();
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(applied[0], std::make_pair(LogIndex(2), std::string("a=1")));
  EXPECT_EQ(applied[1], std::make_pair(LogIndex(3), std::string("b=2")));
}

TEST_F(ProposalTest, ProposalsPastTheUncommittedBytesLimitAreOverloaded) {
  constexpr uint64_t kLimit = 100;
  TestCluster& cluster = make_cluster(3, [](RaftOptions& options) {
    options.uncommitted_bytes_max = kLimit;
  });
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  // Nothing commits while the leader is cut off.
  cluster.isolate(NodeId(1));
  const std::string command(10, 'x');
  uint64_t accepted_bytes = 0;
  Status refusal;
  for (int i = 0; i < 50 && refusal.is_ok(); ++i) {
    const LogIndex last = cluster.raft(NodeId(1)).last_index();
    auto result = cluster.propose(NodeId(1), command);
    if (result.is_ok()) {
      accepted_bytes += command.size();
    } else {
      refusal = result.status();
      // A refused proposal leaves nothing behind.
      EXPECT_EQ(cluster.raft(NodeId(1)).last_index(), last);
    }
  }
  EXPECT_EQ(refusal.code(), ErrorCode::kOverloaded) << refusal.to_string();
  EXPECT_GT(accepted_bytes, 0u);
  EXPECT_LE(accepted_bytes, kLimit);

  // Once the backlog commits, proposals are taken again.
  cluster.heal();
  cluster.run_ticks(3);
  EXPECT_EQ(cluster.raft(NodeId(1)).committed(), cluster.raft(NodeId(1)).last_index());
  EXPECT_TRUE(cluster.propose(NodeId(1), command).is_ok());
}

TEST_F(ProposalTest, ALostProposalComesBackAtItsPositionWithAnotherTerm) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.isolate(NodeId(1));
  auto lost = cluster.propose(NodeId(1), "lost=1");
  ASSERT_TRUE(lost.is_ok());
  cluster.deliver_all();
  // The majority moves on without node 1.
  cluster.run_ticks(40);
  const NodeId leader = cluster.leader();
  ASSERT_TRUE(leader == NodeId(2) || leader == NodeId(3)) << cluster.status();
  ASSERT_TRUE(cluster.propose(leader, "kept=1").is_ok());
  cluster.deliver_all();
  cluster.heal();
  cluster.run_ticks(5);
  const auto entries = cluster.node(NodeId(1)).persisted_entries();
  ASSERT_GE(entries.size(), lost->index.value());
  EXPECT_NE(entries[lost->index.value() - 1].term, lost->term);
  EXPECT_EQ(cluster.node(NodeId(1)).kv().count("lost"), 0u);
  EXPECT_EQ(cluster.node(NodeId(1)).kv().at("kept"), "1");
}

}  // namespace
}  // namespace quokka::testing
