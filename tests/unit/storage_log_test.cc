#include "tests/unit/storage_test_fixture.h"

namespace quokka::testing {
namespace {

using RaftLogTest = StorageTest;
QUOKKA_INSTANTIATE_STORAGE_TEST(RaftLogTest);

std::vector<uint64_t> indexes_of(const std::vector<LogEntry>& entries) {
  std::vector<uint64_t> indexes;
  for (const LogEntry& e : entries) indexes.push_back(e.index.value());
  return indexes;
}

TEST_P(RaftLogTest, ANewLogIsEmpty) {
  EXPECT_EQ(storage().first_index(), LogIndex(1));
  EXPECT_EQ(storage().last_index(), LogIndex(0));
  EXPECT_EQ(*storage().term_at(LogIndex(0)), Term(0));
  EXPECT_EQ(storage().hard_state(), HardState{});
}

TEST_P(RaftLogTest, AppendsAndReadsEntries) {
  WriteBatch batch;
  batch.append_log_entries({entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 2, "c")});
  commit_ok(batch);
  EXPECT_EQ(storage().last_index(), LogIndex(3));
  EXPECT_EQ(*storage().term_at(LogIndex(3)), Term(2));
  auto all = storage().entries(LogIndex(1), LogIndex(4), UINT64_MAX);
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  EXPECT_EQ(*all, (std::vector<LogEntry>{entry(1, 1, "a"), entry(2, 1, "b"),
                                         entry(3, 2, "c")}));
}

TEST_P(RaftLogTest, EntriesStopAtTheByteBudgetButAlwaysReturnOne) {
  WriteBatch batch;
  batch.append_log_entries({entry(1, 1, std::string(100, 'a')),
                            entry(2, 1, std::string(100, 'b')),
                            entry(3, 1, std::string(100, 'c'))});
  commit_ok(batch);
  uint64_t one = entry(1, 1, std::string(100, 'a')).byte_size();
  EXPECT_EQ(indexes_of(*storage().entries(LogIndex(1), LogIndex(4), 1)),
            std::vector<uint64_t>{1});
  EXPECT_EQ(indexes_of(*storage().entries(LogIndex(1), LogIndex(4), 2 * one)),
            (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(indexes_of(*storage().entries(LogIndex(2), LogIndex(2), 0)),
            std::vector<uint64_t>{});
}

TEST_P(RaftLogTest, ReadsOutsideTheLogNameTheValidRange) {
  WriteBatch batch;
  batch.append_log_entries({entry(1, 1), entry(2, 1)});
  commit_ok(batch);
  auto past = storage().entries(LogIndex(1), LogIndex(5), UINT64_MAX);
  ASSERT_FALSE(past.is_ok());
  EXPECT_EQ(past.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(past.status().message().find("[1, 2]"), std::string::npos)
      << past.status().message();
  EXPECT_EQ(storage().term_at(LogIndex(3)).status().code(),
            ErrorCode::kNotFound);
}

TEST_P(RaftLogTest, AConflictingAppendReplacesTheSuffix) {
  WriteBatch first;
  first.append_log_entries({entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)});
  commit_ok(first);
  WriteBatch conflict;
  conflict.append_log_entries({entry(3, 2, "new")});
  commit_ok(conflict);
  EXPECT_EQ(storage().last_index(), LogIndex(3));
  EXPECT_EQ(*storage().term_at(LogIndex(3)), Term(2));
  harness.reopen();
  EXPECT_EQ(storage().last_index(), LogIndex(3));
  EXPECT_EQ(storage().entries(LogIndex(3), LogIndex(4), UINT64_MAX)->front().data,
            "new");
}

TEST_P(RaftLogTest, RefusesGapsAndDisorder) {
  WriteBatch start;
  start.append_log_entries({entry(1, 1)});
  commit_ok(start);

  WriteBatch gap;
  gap.append_log_entries({entry(3, 1)});
  Status gap_status = storage().commit(gap, Sync::kYes);
  EXPECT_EQ(gap_status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(gap_status.message().find("gap"), std::string::npos);

  WriteBatch holes;
  holes.append_log_entries({entry(2, 1), entry(4, 1)});
  EXPECT_EQ(storage().commit(holes, Sync::kYes).code(),
            ErrorCode::kInvalidArgument);

  WriteBatch backwards;
  backwards.append_log_entries({entry(2, 3), entry(3, 2)});
  EXPECT_EQ(storage().commit(backwards, Sync::kYes).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(storage().last_index(), LogIndex(1));
}

TEST_P(RaftLogTest, CompactionDropsThePrefixAndKeepsItsLastTerm) {
  WriteBatch batch;
  batch.append_log_entries({entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2)});
  commit_ok(batch);
  WriteBatch compact;
  compact.compact_log_through(LogIndex(3));
  commit_ok(compact);
  harness.reopen();
  EXPECT_EQ(storage().first_index(), LogIndex(4));
  EXPECT_EQ(storage().last_index(), LogIndex(4));
  EXPECT_EQ(storage().compacted_through(), (LogPosition{LogIndex(3), Term(2)}));
  EXPECT_EQ(*storage().term_at(LogIndex(3)), Term(2));
  EXPECT_EQ(storage().term_at(LogIndex(2)).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(storage().entries(LogIndex(2), LogIndex(5), UINT64_MAX)
                .status()
                .code(),
            ErrorCode::kNotFound);

  WriteBatch before_start;
  before_start.append_log_entries({entry(3, 2)});
  EXPECT_EQ(storage().commit(before_start, Sync::kYes).code(),
            ErrorCode::kInvalidArgument);

  WriteBatch too_far;
  too_far.compact_log_through(LogIndex(9));
  EXPECT_EQ(storage().commit(too_far, Sync::kYes).code(),
            ErrorCode::kInvalidArgument);
}

TEST_P(RaftLogTest, CompactingEverythingLeavesAnEmptyLogThatGrowsOn) {
  WriteBatch batch;
  batch.append_log_entries({entry(1, 1), entry(2, 1)});
  batch.compact_log_through(LogIndex(2));
  batch.append_log_entries({entry(3, 4)});
  commit_ok(batch);
  harness.reopen();
  EXPECT_EQ(storage().first_index(), LogIndex(3));
  EXPECT_EQ(storage().last_index(), LogIndex(3));
  EXPECT_EQ(*storage().term_at(LogIndex(2)), Term(1));
}

TEST_P(RaftLogTest, TermsOfEveryEntryHoldAcrossConflictsCompactionAndReopen) {
  WriteBatch batch;
  batch.append_log_entries({entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2), entry(5, 3)});
  commit_ok(batch);
  // A new leader's entries replace the tail from 4 on.
  WriteBatch conflict;
  conflict.append_log_entries({entry(4, 5), entry(5, 5), entry(6, 6)});
  commit_ok(conflict);
  const std::vector<std::pair<int, int>> expected = {{1, 1}, {2, 1}, {3, 2},
                                                     {4, 5}, {5, 5}, {6, 6}};
  for (const auto& [index, term] : expected) {
    EXPECT_EQ(*storage().term_at(LogIndex(index)), Term(term)) << "entry " << index;
  }
  harness.reopen();
  for (const auto& [index, term] : expected) {
    EXPECT_EQ(*storage().term_at(LogIndex(index)), Term(term)) << "entry " << index;
  }
  WriteBatch compact;
  compact.compact_log_through(LogIndex(4));
  compact.append_log_entries({entry(7, 6), entry(8, 7)});
  commit_ok(compact);
  harness.reopen();
  EXPECT_EQ(*storage().term_at(LogIndex(4)), Term(5));
  EXPECT_EQ(*storage().term_at(LogIndex(5)), Term(5));
  EXPECT_EQ(*storage().term_at(LogIndex(6)), Term(6));
  EXPECT_EQ(*storage().term_at(LogIndex(7)), Term(6));
  EXPECT_EQ(*storage().term_at(LogIndex(8)), Term(7));
  EXPECT_EQ(storage().term_at(LogIndex(3)).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(storage().term_at(LogIndex(9)).status().code(), ErrorCode::kNotFound);
}

TEST_P(RaftLogTest, AnAppendBelowThePreviousEntrysTermIsRefused) {
  WriteBatch batch;
  batch.append_log_entries({entry(1, 3), entry(2, 4)});
  commit_ok(batch);
  WriteBatch lower;
  lower.append_log_entries({entry(3, 2)});
  Status refused = storage().commit(lower, Sync::kYes);
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("term 2 after term 4"), std::string::npos)
      << refused.message();
  EXPECT_EQ(storage().last_index(), LogIndex(2));
}

TEST_P(RaftLogTest, HardStateIsDurable) {
  HardState state{Term(5), NodeId(2), LogIndex(9)};
  WriteBatch batch;
  batch.set_hard_state(state);
  commit_ok(batch);
  harness.reopen();
  EXPECT_EQ(storage().hard_state(), state);
}

TEST_P(RaftLogTest, AnEntryAndItsBlobCommitTogether) {
  WriteBatch batch;
  BlobId id = batch.put_blob("value", 1);
  batch.append_log_entries({entry(1, 1, std::string(id.bytes()))});
  commit_ok(batch, Sync::kNo);
  EXPECT_EQ(storage().last_index(), LogIndex(1));
  EXPECT_TRUE(*storage().has_blob(id));
}

}  // namespace
}  // namespace quokka::testing
