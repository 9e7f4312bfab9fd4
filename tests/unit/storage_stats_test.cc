// Storage::stats(): the counts and sizes behind the storage gauges, on
// RocksDB (estimates, exact for a store that has only seen puts) and on the
// in-memory twin (exact).
#include "tests/unit/storage_test_fixture.h"

namespace quokka::testing {
namespace {

using StorageStatsTest = StorageTest;
QUOKKA_INSTANTIATE_STORAGE_TEST(StorageStatsTest);

TEST_P(StorageStatsTest, AnEmptyStoreHoldsNothing) {
  const StorageStats stats = storage().stats();
  EXPECT_EQ(stats.keys, 0u);
  EXPECT_EQ(stats.blobs, 0u);
  EXPECT_EQ(stats.blobs_unreferenced, 0u);
  EXPECT_EQ(stats.write_stall_seconds, 0);
}

TEST_P(StorageStatsTest, CountsKeysValuesAndUnreferencedValues) {
  const std::string big(100000, 'v');
  WriteBatch batch;
  const BlobId referenced = batch.put_blob(big, 100);
  batch.put_blob("nobody points here", 100);
  batch.put_pointer("a", pointer_to(referenced, big.size(), 1), 100);
  batch.put_pointer("b", pointer_to(referenced, big.size(), 1), 100);
  batch.put_pointer("c", pointer_to(referenced, big.size(), 1), 100);
  commit_ok(batch);

  const StorageStats stats = storage().stats();
  EXPECT_EQ(stats.keys, 3u);
  EXPECT_EQ(stats.blobs, 2u);
  // The value no pointer names.
  EXPECT_EQ(stats.blobs_unreferenced, 1u);
  EXPECT_GE(stats.blob_bytes, big.size());
  EXPECT_GE(stats.data_bytes, stats.blob_bytes);
}

}  // namespace
}  // namespace quokka::testing
