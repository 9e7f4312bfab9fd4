#include "storage/record_codec.h"
#include "tests/unit/storage_test_fixture.h"

namespace quokka::testing {
namespace {

using StorageFormatTest = StorageTest;
QUOKKA_INSTANTIATE_STORAGE_TEST(StorageFormatTest);

Status write_meta(KvStore& kv, std::string_view key, std::string value) {
  return kv.write({KvWrite{KvWrite::Kind::kPut, KeySpace::kMeta,
                           std::string(key), std::move(value)}},
                  Sync::kYes);
}

TEST_P(StorageFormatTest, ANewStoreIsStampedWithTheCurrentFormat) {
  auto stored = harness.kv().get(KeySpace::kMeta, meta_key::kFormatVersion);
  ASSERT_TRUE(stored.is_ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ(record_codec::decode_format_version(**stored),
            kStorageFormatVersion);
}

TEST_P(StorageFormatTest, AFormat1StoreLosesItsOnDiskIndexAndIsStampedTheCurrentFormat) {
  // Format 1 kept (since ms, blob id) keys in the unreferenced space; the
  // index is now rebuilt from the reference counts.
  BlobId kept = *storage().put_blob("unreferenced", 100, Sync::kYes);
  std::string legacy_key(8, '\0');
  legacy_key += BlobId::of("collected long ago").bytes();
  ASSERT_TRUE(harness.kv()
                  .write({KvWrite{KvWrite::Kind::kPut, KeySpace::kUnreferenced, legacy_key, ""},
                          KvWrite{KvWrite::Kind::kPut, KeySpace::kMeta,
                                  std::string(meta_key::kFormatVersion),
                                  record_codec::encode_format_version(1)}},
                         Sync::kYes)
                  .is_ok());
  ASSERT_TRUE(harness.try_reopen().is_ok());
  auto stored = harness.kv().get(KeySpace::kMeta, meta_key::kFormatVersion);
  ASSERT_TRUE(stored.is_ok() && stored->has_value());
  EXPECT_EQ(record_codec::decode_format_version(**stored), kStorageFormatVersion);
  auto legacy = harness.kv().last_key(KeySpace::kUnreferenced);
  ASSERT_TRUE(legacy.is_ok());
  EXPECT_FALSE(legacy->has_value());
  EXPECT_EQ(*storage().unreferenced_blobs(UINT64_MAX, 10), std::vector<BlobId>{kept});
}

TEST_P(StorageFormatTest, AFormat2StoreTakesItsCountsFromThePointersAndIsStampedTheCurrentFormat) {
  // Format 2 kept every count on disk; format 3 counts the pointers at open,
  // and keeps format 2's unreferenced-since times.
  BlobId named = *storage().put_blob("named", 100, Sync::kYes);
  BlobId idle = *storage().put_blob("idle", 100, Sync::kYes);
  point("k", named);
  namespace rc = record_codec;
  ASSERT_TRUE(harness.kv()
                  .write({KvWrite{KvWrite::Kind::kPut, KeySpace::kBlobRefs,
                                  std::string(named.bytes()), rc::encode_blob_ref({5, 0})},
                          KvWrite{KvWrite::Kind::kPut, KeySpace::kBlobRefs,
                                  std::string(idle.bytes()), rc::encode_blob_ref({0, 700})},
                          KvWrite{KvWrite::Kind::kPut, KeySpace::kMeta,
                                  std::string(meta_key::kFormatVersion),
                                  rc::encode_format_version(2)}},
                         Sync::kYes)
                  .is_ok());
  ASSERT_TRUE(harness.try_reopen().is_ok());
  auto stored = harness.kv().get(KeySpace::kMeta, meta_key::kFormatVersion);
  ASSERT_TRUE(stored.is_ok() && stored->has_value());
  EXPECT_EQ(rc::decode_format_version(**stored), kStorageFormatVersion);
  EXPECT_EQ(*storage().blob_reference_count(named), 1u);
  EXPECT_EQ(*storage().blob_reference_count(idle), 0u);
  EXPECT_TRUE(storage().unreferenced_blobs(700, 10)->empty());
  EXPECT_EQ(*storage().unreferenced_blobs(701, 10), std::vector<BlobId>{idle});
}

TEST_P(StorageFormatTest, ANewerFormatIsRefusedNamingBothVersions) {
  ASSERT_TRUE(write_meta(harness.kv(), meta_key::kFormatVersion,
                         record_codec::encode_format_version(7))
                  .is_ok());
  Status status = harness.try_reopen();
  EXPECT_EQ(status.code(), ErrorCode::kUnsupportedVersion);
  EXPECT_NE(status.message().find("format version 7"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find(
                fmt::format("{} to {}", kStorageFormatVersionMin,
                            kStorageFormatVersion)),
            std::string::npos)
      << status.message();
}

TEST_P(StorageFormatTest, DataWithoutAFormatVersionIsRefused) {
  ASSERT_TRUE(harness.kv()
                  .write({KvWrite{KvWrite::Kind::kDelete, KeySpace::kMeta,
                                  std::string(meta_key::kFormatVersion), ""},
                          KvWrite{KvWrite::Kind::kPut, KeySpace::kPointers,
                                  "key", "value"}},
                         Sync::kYes)
                  .is_ok());
  EXPECT_EQ(harness.try_reopen().code(), ErrorCode::kCorrupt);
}

TEST_P(StorageFormatTest, AnUndecodableMetaRecordIsCorrupt) {
  ASSERT_TRUE(write_meta(harness.kv(), meta_key::kHardState, "short").is_ok());
  Status status = harness.try_reopen();
  EXPECT_EQ(status.code(), ErrorCode::kCorrupt);
  EXPECT_NE(status.message().find("hard_state"), std::string::npos);
}

// A log with a hole, or with a term that goes back, was not written by
// quokka's Raft: the node refuses to start on it rather than serve it.
TEST_P(StorageFormatTest, ALogWithAMissingEntryIsCorruptAndNamesTheEntry) {
  WriteBatch batch;
  batch.append_log_entries({entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2)});
  commit_ok(batch);
  ASSERT_TRUE(harness.kv()
                  .write({KvWrite{KvWrite::Kind::kDelete, KeySpace::kLog,
                                  record_codec::log_key(LogIndex(2)), ""}},
                         Sync::kYes)
                  .is_ok());
  Status status = harness.try_reopen();
  EXPECT_EQ(status.code(), ErrorCode::kCorrupt);
  EXPECT_EQ(status.message(), "the log has no entry 2, yet ends at 4");
}

TEST_P(StorageFormatTest, ALogWhoseTermGoesBackIsCorrupt) {
  WriteBatch batch;
  batch.append_log_entries({entry(1, 1), entry(2, 3)});
  commit_ok(batch);
  LogEntry lower = entry(3, 2);
  ASSERT_TRUE(harness.kv()
                  .write({KvWrite{KvWrite::Kind::kPut, KeySpace::kLog,
                                  record_codec::log_key(lower.index),
                                  record_codec::encode_log_entry_value(lower)}},
                         Sync::kYes)
                  .is_ok());
  Status status = harness.try_reopen();
  EXPECT_EQ(status.code(), ErrorCode::kCorrupt);
  EXPECT_EQ(status.message(), "log entry 3 has term 2, lower than the term 3 before it");
}

}  // namespace
}  // namespace quokka::testing
