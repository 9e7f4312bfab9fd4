// Leader election (Raft §5.2), the election restriction (§5.4.1), PreVote
// (thesis §9.6) and CheckQuorum (thesis §6.2).
#include "tests/consensus/raft_test_support.h"

namespace quokka::testing {
namespace {

class ElectionTest : public RaftTest {};

TEST_F(ElectionTest, ACandidateWithAMajorityLeadsAndEveryoneFollowsIt) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  for (NodeId id : cluster.ids()) {
    EXPECT_EQ(cluster.raft(id).term(), Term(1)) << "node " << id;
    EXPECT_EQ(cluster.raft(id).leader(), NodeId(1)) << "node " << id;
  }
  EXPECT_EQ(cluster.raft(NodeId(2)).role(), Role::kFollower);
  // Raft §8: the new leader's empty entry commits everywhere (a follower
  // whose answer came after the commit learns it from the next heartbeat).
  cluster.tick(NodeId(1));
  cluster.deliver_all();
  for (NodeId id : cluster.ids()) {
    EXPECT_EQ(cluster.raft(id).committed(), LogIndex(1)) << "node " << id;
  }
}

TEST_F(ElectionTest, ASingleVoterElectsItselfAndCommitsAlone) {
  TestCluster& cluster = make_cluster(1);
  cluster.run_ticks(20);
  ASSERT_EQ(cluster.leader(), NodeId(1));
  auto position = cluster.propose(NodeId(1), "solo=1");
  ASSERT_TRUE(position.is_ok()) << position.status().to_string();
  EXPECT_EQ(cluster.raft(NodeId(1)).committed(), position->index);
  EXPECT_EQ(cluster.node(NodeId(1)).kv().at("solo"), "1");
}

TEST_F(ElectionTest, ARestartedLeaderComesBackAsAFollowerAndTheClusterRecovers) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  ASSERT_TRUE(cluster.propose(NodeId(1), "a=1").is_ok());
  cluster.deliver_all();
  const Term term = cluster.raft(NodeId(1)).term();
  cluster.crash(NodeId(1));
  cluster.restart(NodeId(1));
  EXPECT_EQ(cluster.raft(NodeId(1)).role(), Role::kFollower);
  EXPECT_EQ(cluster.raft(NodeId(1)).term(), term);
  EXPECT_EQ(cluster.raft(NodeId(1)).vote(), NodeId(1));
  cluster.run_ticks(60);
  const NodeId leader = cluster.leader();
  ASSERT_NE(leader, NodeId(0)) << cluster.status();
  EXPECT_GT(cluster.raft(leader).term(), term);
  ASSERT_TRUE(cluster.propose(leader, "b=2").is_ok());
  cluster.run_ticks(2);
  for (NodeId id : cluster.ids()) {
    EXPECT_EQ(cluster.node(id).applied_values(), (std::vector<std::string>{"a=1", "b=2"}))
        << "node " << id;
  }
}

TEST_F(ElectionTest, AFollowerThatHearsNoLeaderCampaignsAfterItsTimeout) {
  TestCluster& cluster = make_cluster(3);
  // The election timeout is randomized in [10, 20) ticks.
  cluster.run_ticks(9);
  EXPECT_EQ(cluster.leader(), NodeId(0));
  cluster.run_ticks(30);
  const NodeId leader = cluster.leader();
  ASSERT_NE(leader, NodeId(0));
  for (NodeId id : cluster.ids()) {
    EXPECT_EQ(cluster.raft(id).leader(), leader) << "node " << id;
  }
}

TEST_F(ElectionTest, ANodeVotesOncePerTerm) {
  TestCluster& cluster = make_cluster(3, paper_raft);
  // Nodes 1 and 2 campaign in term 1 at once; node 3 grants the first
  // request it sees and must refuse the second.
  cluster.campaign(NodeId(1));
  cluster.campaign(NodeId(2));
  cluster.deliver_all();
  EXPECT_EQ(cluster.raft(NodeId(3)).vote(), NodeId(1));
  EXPECT_EQ(cluster.raft(NodeId(1)).role(), Role::kLeader);
  EXPECT_NE(cluster.raft(NodeId(2)).role(), Role::kLeader);
}

// Raft §5.4.1: a voter refuses a candidate whose last entry has an older
// term, however long the candidate's log.
TEST_F(ElectionTest, ACandidateWithAnOlderLastTermCannotWin) {
  TestCluster& cluster = make_cluster(3, paper_raft, [](NodeId id, auto& storage) {
    storage.append(id == NodeId(1) ? entries_with_terms({1, 1, 1, 1})
                                   : entries_with_terms({1, 2}));
    storage.set_hard_state(HardState{Term(2), NodeId(0), LogIndex(1)});
  });
  EXPECT_FALSE(cluster.elect(NodeId(1)));
  EXPECT_EQ(cluster.leader(), NodeId(0));

  // Node 2's shorter log of a later term wins, and node 1's extra entries of
  // term 1 (never committed) are replaced.
  ASSERT_TRUE(cluster.elect(NodeId(2)));
  EXPECT_EQ(terms_of(cluster.node(NodeId(1)).persisted_entries()),
            (std::vector<uint64_t>{1, 2, cluster.raft(NodeId(2)).term().value()}));
}

// Raft §5.4.1: with equal last terms, the longer log is more up to date.
TEST_F(ElectionTest, ACandidateWithAShorterLogOfTheSameTermCannotWin) {
  TestCluster& cluster = make_cluster(3, paper_raft, [](NodeId id, auto& storage) {
    storage.append(id == NodeId(1) ? entries_with_terms({1, 1})
                                   : entries_with_terms({1, 1, 1}));
    storage.set_hard_state(HardState{Term(1), NodeId(0), LogIndex(1)});
  });
  EXPECT_FALSE(cluster.elect(NodeId(1)));
  EXPECT_EQ(cluster.leader(), NodeId(0));
  for (NodeId id : {NodeId(2), NodeId(3)}) {
    EXPECT_EQ(cluster.raft(id).vote(), NodeId(0)) << "node " << id << " voted for node 1";
  }
  ASSERT_TRUE(cluster.elect(NodeId(3)));
}

// ------------------------------------------------------------- PreVote

// Keeps the healthy side of the cluster busy while node `isolated` ticks on
// its own for `ticks` ticks.
void run_with_isolated(TestCluster& cluster, NodeId isolated, uint64_t ticks) {
  cluster.isolate(isolated);
  cluster.run_ticks(ticks);
}

TEST_F(ElectionTest, PreVoteAPartitionedNodeDoesNotRaiseItsTerm) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  const Term term = cluster.raft(NodeId(1)).term();

  run_with_isolated(cluster, NodeId(3), 100);
  // Its pre-votes got no answer, so it never started a real election.
  EXPECT_EQ(cluster.raft(NodeId(3)).term(), term);
  EXPECT_EQ(cluster.leader(), NodeId(1));
}

TEST_F(ElectionTest, PreVoteARejoiningNodeDoesNotDeposeAHealthyLeader) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  const Term term = cluster.raft(NodeId(1)).term();
  run_with_isolated(cluster, NodeId(3), 100);
  ASSERT_TRUE(cluster.propose(NodeId(1), "k=v").is_ok());

  cluster.heal();
  cluster.run_ticks(30);
  EXPECT_EQ(cluster.leader(), NodeId(1));
  for (NodeId id : cluster.ids()) {
    EXPECT_EQ(cluster.raft(id).term(), term) << "node " << id;
    EXPECT_EQ(cluster.raft(id).leader(), NodeId(1)) << "node " << id;
  }
  EXPECT_EQ(cluster.node(NodeId(3)).kv().at("k"), "v");
}

// The control: without PreVote the same partition raises node 3's term, and
// on rejoining it forces a new election. This is what PreVote prevents.
TEST_F(ElectionTest, WithoutPreVoteARejoiningNodeForcesANewTerm) {
  TestCluster& cluster = make_cluster(3, [](RaftOptions& options) {
    options.pre_vote = false;
  });
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  const Term term = cluster.raft(NodeId(1)).term();
  run_with_isolated(cluster, NodeId(3), 100);
  EXPECT_GT(cluster.raft(NodeId(3)).term(), term);

  cluster.heal();
  cluster.run_ticks(30);
  EXPECT_GT(cluster.raft(NodeId(1)).term(), term);
}

// ------------------------------------------------------------- CheckQuorum

TEST_F(ElectionTest, CheckQuorumALeaderCutOffFromTheMajorityStepsDown) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  const Term term = cluster.raft(NodeId(1)).term();
  cluster.isolate(NodeId(1));

  // It heard from everyone just before the cut; once a whole election
  // timeout passes without hearing from a majority, it stops (the check runs
  // on every tick, so not a tick later than one timeout).
  const uint64_t timeout = default_raft_options(NodeId(1)).election_timeout_ticks;
  uint64_t ticks = 0;
  while (cluster.raft(NodeId(1)).role() == Role::kLeader && ticks < 10 * timeout) {
    cluster.tick(NodeId(1));
    cluster.deliver_all();
    ++ticks;
  }
  EXPECT_EQ(cluster.raft(NodeId(1)).role(), Role::kFollower);
  EXPECT_LE(ticks, timeout + 1);
  // Stepping down is not an election: the term stays.
  EXPECT_EQ(cluster.raft(NodeId(1)).term(), term);
  EXPECT_EQ(cluster.raft(NodeId(1)).leader(), NodeId(0));
}

TEST_F(ElectionTest, CheckQuorumTheMajoritySideElectsANewLeaderAndTheOldOneFollows) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  const Term term = cluster.raft(NodeId(1)).term();
  run_with_isolated(cluster, NodeId(1), 60);
  const NodeId leader = cluster.leader();
  ASSERT_TRUE(leader == NodeId(2) || leader == NodeId(3)) << cluster.status();
  EXPECT_GT(cluster.raft(leader).term(), term);
  EXPECT_NE(cluster.raft(NodeId(1)).role(), Role::kLeader);

  cluster.heal();
  cluster.run_ticks(5);
  EXPECT_EQ(cluster.raft(NodeId(1)).leader(), leader);
  EXPECT_EQ(cluster.raft(NodeId(1)).term(), cluster.raft(leader).term());
}

// The control: without CheckQuorum the cut-off leader never notices.
TEST_F(ElectionTest, WithoutCheckQuorumACutOffLeaderKeepsLeading) {
  TestCluster& cluster = make_cluster(3, [](RaftOptions& options) {
    options.check_quorum = false;
  });
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.isolate(NodeId(1));
  cluster.tick(NodeId(1), 100);
  EXPECT_EQ(cluster.raft(NodeId(1)).role(), Role::kLeader);
}

// Thesis §6.2: a follower that heard from its leader within the election
// timeout ignores a candidate, so a flaky node cannot force elections.
TEST_F(ElectionTest, CheckQuorumAFollowerInTouchWithItsLeaderIgnoresACandidate) {
  TestCluster& cluster = make_cluster(3, [](RaftOptions& options) {
    options.pre_vote = false;
  });
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  const Term term = cluster.raft(NodeId(1)).term();
  // Node 3 campaigns although the leader is fine.
  cluster.campaign(NodeId(3));
  cluster.deliver_while([](const Message& m) {
    return m.from == NodeId(3) || m.to == NodeId(3);
  });
  EXPECT_NE(cluster.raft(NodeId(3)).role(), Role::kLeader);
  EXPECT_EQ(cluster.raft(NodeId(2)).term(), term);
  EXPECT_EQ(cluster.raft(NodeId(2)).leader(), NodeId(1));
}

}  // namespace
}  // namespace quokka::testing
