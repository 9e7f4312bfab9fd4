// Log replication (Raft §5.3) and the commit rule (§5.4.2), pinned to the
// paper's Figures 7 and 8.
#include <algorithm>

#include "tests/consensus/raft_test_support.h"

namespace quokka::testing {
namespace {

// ------------------------------------------------------------- Figure 7
//
// A leader of term 8 whose log has terms 1 1 1 4 4 5 5 6 6 6 meets each of
// the follower logs (a)-(f) of Figure 7: missing entries (a, b), extra
// uncommitted entries (c, d), or both (e, f). Raft §5.3: the leader forces
// the follower's log to duplicate its own.

struct Figure7Case {
  const char* name;
  std::vector<LogEntry> follower_log;
};

std::vector<Figure7Case> figure7_cases() {
  return {
      {"a", entries_with_terms({1, 1, 1, 4, 4, 5, 5, 6, 6})},
      {"b", entries_with_terms({1, 1, 1, 4})},
      {"c", entries_with_terms({1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6})},
      {"d", entries_with_terms({1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7})},
      {"e", entries_with_terms({1, 1, 1, 4, 4, 4, 4})},
      {"f", entries_with_terms({1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3})},
  };
}

void PrintTo(const Figure7Case& c, std::ostream* out) { *out << "follower (" << c.name << ")"; }

class Figure7Test : public RaftTest, public ::testing::WithParamInterface<Figure7Case> {};

TEST_P(Figure7Test, TheLeaderBringsTheFollowerIntoAgreement) {
  const std::vector<LogEntry> leader_log =
      entries_with_terms({1, 1, 1, 4, 4, 5, 5, 6, 6, 6});
  // Node 1 holds the leader's log and node 3 a copy of it, so node 1 wins
  // term 8 even when node 2's log is more up to date (case d). Node 2 holds
  // the follower's log.
  TestCluster& cluster = make_cluster(3, paper_raft, [&](NodeId id, auto& storage) {
    storage.append(id == NodeId(2) ? GetParam().follower_log : leader_log);
    storage.set_hard_state(HardState{Term(7), NodeId(0), LogIndex(0)});
  });

  ASSERT_TRUE(cluster.elect(NodeId(1)));
  EXPECT_EQ(cluster.raft(NodeId(1)).term(), Term(8));
  // A follower whose log matched only after the commit learns the commit
  // index from the next heartbeat.
  cluster.tick(NodeId(1));
  cluster.deliver_all();

  // The leader's own log is the paper's plus the empty entry of term 8.
  const std::vector<uint64_t> expected = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8};
  ASSERT_EQ(terms_of(cluster.node(NodeId(1)).persisted_entries()), expected);
  EXPECT_EQ(cluster.node(NodeId(2)).persisted_entries(),
            cluster.node(NodeId(1)).persisted_entries())
      << "follower (" << GetParam().name << ") still disagrees with the leader";
  EXPECT_EQ(cluster.raft(NodeId(2)).committed(), LogIndex(11));
  EXPECT_EQ(cluster.node(NodeId(2)).applied_index(), LogIndex(11));
  EXPECT_EQ(cluster.node(NodeId(2)).applied_values(),
            cluster.node(NodeId(1)).applied_values());
}

INSTANTIATE_TEST_SUITE_P(PaperFollowers, Figure7Test, ::testing::ValuesIn(figure7_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// ------------------------------------------------------------- Figure 8
//
// Five servers. Going in: S1 led term 2 and wrote index 2 (term 2); S5 led
// term 3 and wrote its own index 2 (term 3); S2, S3 and S4 hold index 1 only.
// S1 then wins term 4 (votes of S2, S3, S4) and replicates its index 2 to S2
// and S3: a majority holds an entry of an older term. Each append carries a
// single entry, so the test decides which of the leader's entries travel.

constexpr uint64_t kS1 = 1, kS2 = 2, kS3 = 3, kS5 = 5;

void figure8_options(RaftOptions& options) {
  paper_raft(options);
  options.append_bytes_max = 1;
}

void figure8_logs(NodeId id, consensus::MemoryLogStorage& storage) {
  if (id == NodeId(kS1)) {
    storage.append(entries_with_terms({1, 2}));
    storage.set_hard_state(HardState{Term(3), NodeId(0), LogIndex(1)});
  } else if (id == NodeId(kS5)) {
    storage.append(entries_with_terms({1, 3}));
    storage.set_hard_state(HardState{Term(3), NodeId(kS5), LogIndex(1)});
  } else {
    storage.append(entries_with_terms({1}));
    storage.set_hard_state(HardState{Term(3), id == NodeId(kS2) ? NodeId(0) : NodeId(kS5),
                                     LogIndex(1)});
  }
}

// S1 wins term 4; then only S1's appends that S2 and S3 cannot accept (a
// gap before them) or that carry entries at or below index `through` reach
// them, with their answers; everything else is lost.
void s1_leads_term4_and_replicates_through(TestCluster& cluster, uint64_t through) {
  cluster.campaign(NodeId(kS1));
  cluster.deliver_while(is_election_traffic);
  ASSERT_EQ(cluster.raft(NodeId(kS1)).role(), Role::kLeader);
  ASSERT_EQ(cluster.raft(NodeId(kS1)).term(), Term(4));
  cluster.deliver_while([&cluster, through](const Message& m) {
    const bool to_s2_s3 = m.to == NodeId(kS2) || m.to == NodeId(kS3);
    const bool from_s2_s3 = m.from == NodeId(kS2) || m.from == NodeId(kS3);
    if (m.from == NodeId(kS1) && to_s2_s3 && m.type == MessageType::kAppend) {
      if (m.index > cluster.raft(m.to).last_index()) return true;  // rejected
      return std::all_of(m.entries.begin(), m.entries.end(), [through](const LogEntry& e) {
        return e.index.value() <= through;
      });
    }
    return from_s2_s3 && m.to == NodeId(kS1);
  });
  cluster.drop();
}

class Figure8Test : public RaftTest {};

TEST_F(Figure8Test, AnOlderTermEntryOnAMajorityIsNotCommittedByCounting) {
  TestCluster& cluster = make_cluster(5, figure8_options, figure8_logs);
  s1_leads_term4_and_replicates_through(cluster, 2);

  const consensus::Raft& s1 = cluster.raft(NodeId(kS1));
  // S1, S2 and S3 hold index 2 (term 2), and S1 knows it.
  ASSERT_NE(s1.progress(NodeId(kS2)), nullptr);
  ASSERT_EQ(s1.progress(NodeId(kS2))->match, LogIndex(2));
  ASSERT_EQ(s1.progress(NodeId(kS3))->match, LogIndex(2));
  // Raft §5.4.2: yet it is not committed, since it is not of term 4.
  EXPECT_EQ(s1.committed(), LogIndex(1));
  EXPECT_EQ(cluster.node(NodeId(kS1)).applied_index(), LogIndex(1));

  // Figure 8 (d): S1 crashes and S5 wins term 5 with the votes of S2, S3 and
  // S4; its index 2 (term 3) replaces the majority's index 2 (term 2). Had
  // S1 committed it, a committed entry would now be lost.
  cluster.crash(NodeId(kS1));
  ASSERT_TRUE(cluster.elect(NodeId(kS5)));
  EXPECT_EQ(cluster.raft(NodeId(kS5)).term(), Term(5));
  for (uint64_t id : {kS2, kS3}) {
    EXPECT_EQ(*cluster.node(NodeId(id)).storage().term_at(LogIndex(2)), Term(3))
        << "node " << id;
  }
  for (NodeId id : cluster.ids()) {
    const auto values = cluster.node(id).applied_values();
    EXPECT_EQ(std::count(values.begin(), values.end(), "e2t2"), 0) << "node " << id;
  }
}

TEST_F(Figure8Test, AnEntryOfTheCurrentTermCommitsTheOlderOnesBelowIt) {
  TestCluster& cluster = make_cluster(5, figure8_options, figure8_logs);
  // Figure 8 (e): S1 also replicates index 3 (term 4) to S2 and S3.
  s1_leads_term4_and_replicates_through(cluster, 3);

  EXPECT_EQ(cluster.raft(NodeId(kS1)).committed(), LogIndex(3));
  EXPECT_EQ(cluster.node(NodeId(kS1)).applied_values(),
            (std::vector<std::string>{"e1t1", "e2t2"}));

  // Now S5 cannot win: S2 and S3 have a more up-to-date log (Raft §5.4.1),
  // so the committed entries survive.
  cluster.crash(NodeId(kS1));
  EXPECT_FALSE(cluster.elect(NodeId(kS5)));
  for (uint64_t id : {kS2, kS3}) {
    EXPECT_EQ(*cluster.node(NodeId(id)).storage().term_at(LogIndex(2)), Term(2))
        << "node " << id;
  }
}

// The negative control: with the commit rule broken on purpose, the same
// schedule commits index 2 of term 2 on S1, which S5 then overwrites on the
// majority. This proves the test above can see the bug it guards against.
TEST_F(Figure8Test, CountingReplicasOfAnOlderTermLosesACommittedEntry) {
  TestCluster& cluster = make_cluster(
      5,
      [](RaftOptions& options) {
        figure8_options(options);
        options.faults.commit_older_terms_by_counting = true;
      },
      figure8_logs);
  s1_leads_term4_and_replicates_through(cluster, 2);
  EXPECT_EQ(cluster.raft(NodeId(kS1)).committed(), LogIndex(2));
  EXPECT_EQ(cluster.node(NodeId(kS1)).applied_values(),
            (std::vector<std::string>{"e1t1", "e2t2"}));

  cluster.crash(NodeId(kS1));
  ASSERT_TRUE(cluster.elect(NodeId(kS5)));
  EXPECT_EQ(cluster.node(NodeId(kS2)).applied_values(),
            (std::vector<std::string>{"e1t1", "e2t3"}))
      << "S2 applied something else at index 2 than S1 did";
}

// ------------------------------------------------------------- Basics

class ReplicationTest : public RaftTest {};

TEST_F(ReplicationTest, AProposalCommitsOnAMajorityAndEveryNodeAppliesIt) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.isolate(NodeId(3));
  auto position = cluster.propose(NodeId(1), "x=1");
  ASSERT_TRUE(position.is_ok()) << position.status().to_string();
  cluster.deliver_all();
  EXPECT_EQ(cluster.raft(NodeId(1)).committed(), position->index);
  EXPECT_EQ(cluster.node(NodeId(2)).kv().at("x"), "1");
  EXPECT_TRUE(cluster.node(NodeId(3)).kv().empty());

  cluster.heal();
  cluster.run_ticks(3);
  EXPECT_EQ(cluster.node(NodeId(3)).kv().at("x"), "1");
  EXPECT_EQ(cluster.node(NodeId(3)).persisted_entries(),
            cluster.node(NodeId(1)).persisted_entries());
}

TEST_F(ReplicationTest, EveryFollowerLearnsTheCommitWithoutWaitingForAHeartbeat) {
  // A new leader's no-op: the followers' acknowledgements can arrive before
  // the leader's own write is durable, so the commit moves only after the
  // last of them; the leader must still tell every follower at once.
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  const LogIndex committed = cluster.raft(NodeId(1)).committed();
  ASSERT_GT(committed, LogIndex(0));
  for (uint64_t id = 2; id <= 3; ++id) {
    EXPECT_EQ(cluster.raft(NodeId(id)).committed(), committed) << "node " << id;
  }
}

TEST_F(ReplicationTest, ProposalsBetweenTwoReadiesTravelInOneAppendPerFollower) {
  // The node proposes every waiting batch before it asks for a Ready; an
  // append per proposal would cost each follower a message, a disk sync and
  // a response per batch, where one carries them all.
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  cluster.flush();
  ASSERT_TRUE(cluster.queued().empty());
  for (const char* command : {"a=1", "b=2", "c=3"}) {
    ASSERT_TRUE(cluster.raft(NodeId(1)).propose({command}).is_ok());
  }
  for (uint64_t follower = 2; follower <= 3; ++follower) {
    std::vector<size_t> appended;
    for (const consensus::Message& m : cluster.queued()) {
      if (m.type == consensus::MessageType::kAppend && m.to == NodeId(follower)) {
        appended.push_back(m.entries.size());
      }
    }
    EXPECT_EQ(appended, std::vector<size_t>{3}) << "appends to node " << follower;
  }
  cluster.deliver_all();
  EXPECT_EQ(cluster.node(NodeId(3)).kv().at("c"), "3");
}

TEST_F(ReplicationTest, NothingCommitsWithoutAMajority) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  const LogIndex committed = cluster.raft(NodeId(1)).committed();
  cluster.isolate(NodeId(1));
  ASSERT_TRUE(cluster.propose(NodeId(1), "x=1").is_ok());
  cluster.deliver_all();
  EXPECT_EQ(cluster.raft(NodeId(1)).committed(), committed);
  EXPECT_TRUE(cluster.node(NodeId(1)).kv().empty());
}

TEST_F(ReplicationTest, ACrashedFollowerRecoversItsLogFromStorageAndCatchesUp) {
  TestCluster& cluster = make_cluster(3);
  ASSERT_TRUE(cluster.elect(NodeId(1)));
  ASSERT_TRUE(cluster.propose(NodeId(1), "a=1").is_ok());
  cluster.deliver_all();
  const auto before = cluster.node(NodeId(2)).persisted_entries();
  cluster.crash(NodeId(2));
  ASSERT_TRUE(cluster.propose(NodeId(1), "b=2").is_ok());
  cluster.deliver_all();
  cluster.restart(NodeId(2));
  // The restarted node starts from what it persisted, applies it again ...
  EXPECT_EQ(cluster.node(NodeId(2)).persisted_entries(), before);
  // ... and catches up from the leader.
  cluster.run_ticks(3);
  EXPECT_EQ(cluster.node(NodeId(2)).kv().at("a"), "1");
  EXPECT_EQ(cluster.node(NodeId(2)).kv().at("b"), "2");
  EXPECT_EQ(cluster.raft(NodeId(2)).term(), cluster.raft(NodeId(1)).term());
}

}  // namespace
}  // namespace quokka::testing
