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

}  // namespace
}  // namespace quokka::testing
