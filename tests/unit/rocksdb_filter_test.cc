// The value and pointer spaces keep a bloom filter in each file: lookups of
// keys a file does not hold (a key's first write, a value in another file)
// skip the file instead of reading a block of it.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/blob_id.h"
#include "storage/rocksdb_kv_store.h"
#include "tests/support/flushing_rocksdb.h"

namespace quokka::testing {
namespace {

class FilteredSpaceTest : public ::testing::TestWithParam<KeySpace> {};

TEST_P(FilteredSpaceTest, LookupsOfAbsentKeysSkipTheFlushedFiles) {
  const KeySpace space = GetParam();
  FlushingRocksDb store(64 * 1024);  // flushes every few hundred writes
  RocksDbKvStore& kv = store.kv();

  for (int batch = 0; batch < 40; ++batch) {
    std::vector<KvWrite> writes;
    for (int i = 0; i < 50; ++i) {
      const std::string value = "stored " + std::to_string(batch * 50 + i);
      writes.push_back(
          KvWrite{KvWrite::Kind::kPut, space, std::string(BlobId::of(value).bytes()), value});
    }
    ASSERT_TRUE(kv.write(writes, Sync::kNo).is_ok());
  }
  // Each lookup meets at least one flushed file; a filter with ~1% false
  // positives turns nearly all of them away. Flushes run in the background,
  // and on a loaded machine none may have finished when the writes return:
  // the lookups are tried again (bounded) until one has.
  uint64_t filtered = 0;
  for (int round = 0; round < 100 && filtered < 150; ++round) {
    if (round > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const uint64_t filtered_before = kv.stats().lookups_filtered;
    for (int i = 0; i < 200; ++i) {
      auto got = kv.get(space, BlobId::of("absent " + std::to_string(i)).bytes());
      ASSERT_TRUE(got.is_ok()) << got.status().to_string();
      EXPECT_FALSE(got->has_value());
    }
    filtered = kv.stats().lookups_filtered - filtered_before;
  }
  EXPECT_GE(filtered, 150u);
  auto stored = kv.get(space, BlobId::of("stored 7").bytes());
  ASSERT_TRUE(stored.is_ok());
  EXPECT_EQ(stored->value_or(""), "stored 7");
}

INSTANTIATE_TEST_SUITE_P(Spaces, FilteredSpaceTest,
                         ::testing::Values(KeySpace::kBlobs, KeySpace::kPointers),
                         [](const auto& info) {
                           switch (info.param) {
                             case KeySpace::kBlobs: return std::string("Values");
                             default: return std::string("Pointers");
                           }
                         });

}  // namespace
}  // namespace quokka::testing
