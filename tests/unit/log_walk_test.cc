#include "storage/log_walk.h"

#include <gtest/gtest.h>

#include <vector>

#include "storage/memory_kv_store.h"
#include "storage/record_codec.h"

namespace quokka::testing {
namespace {

namespace rc = record_codec;

void put_entry(MemoryKvStore& kv, uint64_t index, uint64_t term) {
  LogEntry entry{LogIndex(index), Term(term), EntryType::kNormal, "entry " + std::to_string(index)};
  std::vector<KvWrite> writes = {KvWrite{KvWrite::Kind::kPut, KeySpace::kLog,
                                         rc::log_key(entry.index),
                                         rc::encode_log_entry_value(entry)}};
  ASSERT_TRUE(kv.write(writes, Sync::kYes).is_ok());
}

// Every index visited once, in order, across page boundaries of every size.
std::vector<uint64_t> walk_all(const MemoryKvStore& kv, uint64_t lo, uint64_t hi, size_t page,
                               LogWalkEnd* end) {
  std::vector<uint64_t> seen;
  auto walked = walk_log(kv, LogIndex(lo), LogIndex(hi), page,
                         [&seen](LogEntry&& entry) -> Result<LogWalkStep> {
                           EXPECT_EQ(entry.data, "entry " + std::to_string(entry.index.value()));
                           seen.push_back(entry.index.value());
                           return LogWalkStep::kContinue;
                         });
  EXPECT_TRUE(walked.status().is_ok()) << walked.status().message();
  if (walked) *end = *walked;
  return seen;
}

TEST(LogWalkTest, VisitsEveryEntryOfTheRangeInOrderWhateverThePageSize) {
  MemoryKvStore kv;
  for (uint64_t index = 3; index <= 12; ++index) put_entry(kv, index, 1 + index / 4);
  for (size_t page : {1, 2, 3, 7, 10, 11, 4096}) {
    LogWalkEnd end;
    std::vector<uint64_t> seen = walk_all(kv, 4, 12, page, &end);
    EXPECT_EQ(seen, (std::vector<uint64_t>{4, 5, 6, 7, 8, 9, 10, 11})) << "page " << page;
    EXPECT_EQ(end.next, LogIndex(12));
    EXPECT_FALSE(end.gap);
  }
}

TEST(LogWalkTest, AMissingEntryEndsTheWalkThereAndSaysSo) {
  MemoryKvStore kv;
  for (uint64_t index : {1, 2, 3, 5, 6}) put_entry(kv, index, 1);
  for (size_t page : {1, 2, 4096}) {
    LogWalkEnd end;
    EXPECT_EQ(walk_all(kv, 1, 7, page, &end), (std::vector<uint64_t>{1, 2, 3}));
    EXPECT_EQ(end.next, LogIndex(4)) << "page " << page;
    EXPECT_TRUE(end.gap);
    // Missing at the end of the range, where the page comes back short.
    EXPECT_EQ(walk_all(kv, 5, 9, page, &end), (std::vector<uint64_t>{5, 6}));
    EXPECT_EQ(end.next, LogIndex(7));
    EXPECT_TRUE(end.gap);
  }
}

TEST(LogWalkTest, StopsWhereTheVisitorSaysAndPassesOnItsError) {
  MemoryKvStore kv;
  for (uint64_t index = 1; index <= 9; ++index) put_entry(kv, index, 1);
  int visits = 0;
  auto stopped = walk_log(kv, LogIndex(1), LogIndex(10), 2, [&visits](LogEntry&& entry) {
    ++visits;
    return Result<LogWalkStep>(entry.index == LogIndex(4) ? LogWalkStep::kStop
                                                          : LogWalkStep::kContinue);
  });
  ASSERT_TRUE(stopped.status().is_ok());
  EXPECT_EQ(visits, 4);
  EXPECT_EQ(stopped->next, LogIndex(5));
  EXPECT_FALSE(stopped->gap);

  auto failed = walk_log(kv, LogIndex(1), LogIndex(10), 2, [](LogEntry&& entry) {
    if (entry.index == LogIndex(3)) {
      return Result<LogWalkStep>(Status(ErrorCode::kCorrupt, "entry 3 is refused"));
    }
    return Result<LogWalkStep>(LogWalkStep::kContinue);
  });
  EXPECT_EQ(failed.status().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(failed.status().message(), "entry 3 is refused");
}

TEST(LogWalkTest, AnEntryThatCannotBeDecodedIsCorruptAndNamesItsIndex) {
  MemoryKvStore kv;
  put_entry(kv, 1, 1);
  std::vector<KvWrite> garbage = {
      KvWrite{KvWrite::Kind::kPut, KeySpace::kLog, rc::log_key(LogIndex(2)), "x"}};
  ASSERT_TRUE(kv.write(garbage, Sync::kYes).is_ok());
  auto walked = walk_log(kv, LogIndex(1), LogIndex(3), 16,
                         [](LogEntry&&) { return Result<LogWalkStep>(LogWalkStep::kContinue); });
  EXPECT_EQ(walked.status().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(walked.status().message(), "log entry 2 cannot be decoded");
}

}  // namespace
}  // namespace quokka::testing
