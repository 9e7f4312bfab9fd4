// RocksDB reclaims the space of deleted values only while enough of its
// blob files is garbage: relocating live values on every compaction costs
// a copy and a checksum of each, for nothing when little is dead.
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

TEST(ValueCollectionWantedTest, StartsPastHalfGarbageAndStopsBelowAQuarter) {
  EXPECT_FALSE(value_collection_wanted(false, 0, 0));
  EXPECT_FALSE(value_collection_wanted(false, 1000, 500));
  EXPECT_TRUE(value_collection_wanted(false, 1000, 501));
  EXPECT_TRUE(value_collection_wanted(true, 1000, 300));
  EXPECT_TRUE(value_collection_wanted(true, 1000, 250));
  EXPECT_FALSE(value_collection_wanted(true, 1000, 249));
}

KvWrite value_put(const std::string& bytes) {
  return KvWrite{KvWrite::Kind::kPut, KeySpace::kBlobs, std::string(BlobId::of(bytes).bytes()),
                 bytes};
}

KvWrite value_delete(const std::string& bytes) {
  return KvWrite{KvWrite::Kind::kDelete, KeySpace::kBlobs,
                 std::string(BlobId::of(bytes).bytes()), ""};
}

std::string value_number(int i) {
  return std::string(64 * 1024, static_cast<char>('a' + i % 26)) + std::to_string(i);
}

TEST(RocksDbValueCollectionTest, DeletedValuesAreReclaimedOnceMostOfTheFilesAreGarbage) {
  FlushingRocksDb store(256 * 1024);  // a flush every few values
  RocksDbKvStore& kv = store.kv();

  constexpr int kValues = 200;
  for (int i = 0; i < kValues; ++i) {
    ASSERT_TRUE(kv.write({value_put(value_number(i))}, Sync::kNo).is_ok());
  }
  EXPECT_FALSE(kv.stats().value_collection_on) << "nothing is deleted yet";
  // Keep every tenth value; the rest is garbage once compactions see the
  // deletes. New values keep flushes and compactions coming.
  int next = kValues;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int i = 0; i < kValues; ++i) {
    if (i % 10 == 0) continue;
    ASSERT_TRUE(kv.write({value_delete(value_number(i))}, Sync::kNo).is_ok());
  }
  bool turned_on = false;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string fresh = value_number(next++);
    ASSERT_TRUE(kv.write({value_put(fresh)}, Sync::kNo).is_ok());
    ASSERT_TRUE(kv.write({value_delete(fresh)}, Sync::kNo).is_ok());
    if (kv.stats().value_collection_on) {
      turned_on = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(turned_on) << "garbage " << kv.stats().value_garbage_bytes << " B after " << next
                         << " values";
  // Collection shrinks the garbage until it turns itself off again.
  while (std::chrono::steady_clock::now() < deadline && kv.stats().value_collection_on) {
    const std::string fresh = value_number(next++);
    ASSERT_TRUE(kv.write({value_put(fresh)}, Sync::kNo).is_ok());
    ASSERT_TRUE(kv.write({value_delete(fresh)}, Sync::kNo).is_ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_FALSE(kv.stats().value_collection_on)
      << "garbage " << kv.stats().value_garbage_bytes << " B after " << next << " values";
  // The values kept are all still there.
  for (int i = 0; i < kValues; i += 10) {
    auto kept = kv.get(KeySpace::kBlobs, BlobId::of(value_number(i)).bytes());
    ASSERT_TRUE(kept.is_ok() && kept->has_value()) << "value " << i;
    EXPECT_EQ(**kept, value_number(i));
  }
}

}  // namespace
}  // namespace quokka::testing
