// What survives a crash: the in-memory twin's simulated machine crash, and a
// RocksDB write-ahead log whose last record was torn.
#include <filesystem>

#include "tests/unit/storage_test_fixture.h"

namespace quokka::testing {
namespace {

// One write the way the node makes them: a log entry and a pointer change.
WriteBatch numbered_write(uint64_t n) {
  WriteBatch batch;
  std::string value = "value-" + std::to_string(n);
  BlobId id = batch.put_blob(value, n);
  batch.append_log_entries(
      {LogEntry{LogIndex(n), Term(1), EntryType::kNormal, std::string(id.bytes())}});
  batch.put_pointer("key-" + std::to_string(n),
                    PointerRecord{id, value.size(), Revision(n), Revision(n), 1}, n);
  return batch;
}

// Every write n in [1, count] is either wholly present or wholly absent, and
// the present ones are exactly 1..last_index: a prefix.
void expect_prefix_of_whole_writes(Storage& storage, uint64_t count) {
  uint64_t last = storage.last_index().value();
  for (uint64_t n = 1; n <= count; ++n) {
    bool pointer = storage.get_pointer("key-" + std::to_string(n))->has_value();
    bool blob = *storage.has_blob(BlobId::of("value-" + std::to_string(n)));
    EXPECT_EQ(pointer, n <= last) << "write " << n << ", log ends at " << last;
    EXPECT_EQ(blob, n <= last) << "write " << n << ", log ends at " << last;
  }
}

TEST(MemoryCrashTest, ACrashLosesWhatWasNotSynced) {
  StorageHarness harness(Backend::kMemory);
  ASSERT_TRUE(harness.storage().commit(numbered_write(1), Sync::kYes).is_ok());
  ASSERT_TRUE(harness.storage().commit(numbered_write(2), Sync::kNo).is_ok());
  ASSERT_TRUE(harness.storage().commit(numbered_write(3), Sync::kNo).is_ok());
  EXPECT_EQ(harness.storage().last_index(), LogIndex(3));

  harness.crash_and_reopen(0);
  EXPECT_EQ(harness.storage().last_index(), LogIndex(1));
  expect_prefix_of_whole_writes(harness.storage(), 3);
}

TEST(MemoryCrashTest, ACrashMayKeepAPrefixOfUnsyncedWrites) {
  StorageHarness harness(Backend::kMemory);
  for (uint64_t n = 1; n <= 4; ++n) {
    ASSERT_TRUE(harness.storage().commit(numbered_write(n), Sync::kNo).is_ok());
  }
  harness.crash_and_reopen(2);
  EXPECT_EQ(harness.storage().last_index(), LogIndex(2));
  expect_prefix_of_whole_writes(harness.storage(), 4);
}

TEST(MemoryCrashTest, ASyncMakesEarlierWritesDurableToo) {
  StorageHarness harness(Backend::kMemory);
  ASSERT_TRUE(harness.storage().commit(numbered_write(1), Sync::kNo).is_ok());
  ASSERT_TRUE(harness.storage().commit(numbered_write(2), Sync::kYes).is_ok());
  harness.crash_and_reopen(0);
  EXPECT_EQ(harness.storage().last_index(), LogIndex(2));
}

TEST(MemoryCrashTest, ACrashLosesUnsyncedNodeRecordChanges) {
  StorageHarness harness(Backend::kMemory);
  Storage& storage = harness.storage();
  WriteBatch synced;
  synced.put_node_record("membership", "v1");
  synced.put_node_record("session/1", "seq=1");
  ASSERT_TRUE(storage.commit(synced, Sync::kYes).is_ok());

  WriteBatch first;
  first.put_node_record("membership", "v2");
  first.put_node_record("session/2", "seq=1");
  ASSERT_TRUE(storage.commit(first, Sync::kNo).is_ok());
  WriteBatch second;
  second.delete_node_record("session/1");
  ASSERT_TRUE(storage.commit(second, Sync::kNo).is_ok());

  // The page cache wrote back the first unsynced batch only.
  harness.crash_and_reopen(1);
  auto kept = harness.storage().node_records("", 10);
  ASSERT_TRUE(kept.is_ok());
  EXPECT_EQ(*kept, (std::vector<KvPair>{{"membership", "v2"},
                                        {"session/1", "seq=1"},
                                        {"session/2", "seq=1"}}));

  WriteBatch third;
  third.put_node_record("session/3", "seq=1");
  ASSERT_TRUE(harness.storage().commit(third, Sync::kNo).is_ok());
  harness.crash_and_reopen(0);
  EXPECT_EQ(*harness.storage().get_node_record("session/3"), std::nullopt);
  EXPECT_EQ(harness.storage().node_records("", 10)->size(), 3u);
}

std::filesystem::path newest_write_ahead_log(const std::filesystem::path& db) {
  std::filesystem::path newest;
  for (const auto& file : std::filesystem::directory_iterator(db)) {
    if (file.path().extension() != ".log") continue;
    if (newest.empty() || file.path().filename() > newest.filename()) {
      newest = file.path();
    }
  }
  return newest;
}

TEST(RocksDbCrashTest, ATornLastWriteIsDroppedWholeOnRecovery) {
  StorageHarness harness(Backend::kRocksDb);
  harness.reopen();  // start a fresh write-ahead log holding only our writes
  constexpr uint64_t kWrites = 5;
  for (uint64_t n = 1; n <= kWrites; ++n) {
    ASSERT_TRUE(harness.storage().commit(numbered_write(n), Sync::kYes).is_ok());
  }
  // Closing does not flush memtables: the writes live only in the log.
  harness.close();
  std::filesystem::path log =
      newest_write_ahead_log(harness.directory().path() / "db");
  ASSERT_FALSE(log.empty());
  uintmax_t size = std::filesystem::file_size(log);
  ASSERT_GT(size, 20u);
  // Lose the end of the last record, as a crash in the middle of a write does.
  std::filesystem::resize_file(log, size - 20);

  harness.reopen();
  EXPECT_EQ(harness.storage().last_index(), LogIndex(kWrites - 1));
  expect_prefix_of_whole_writes(harness.storage(), kWrites);
}

}  // namespace
}  // namespace quokka::testing
