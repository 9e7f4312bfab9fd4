#include "storage/record_codec.h"
#include "tests/unit/storage_test_fixture.h"

namespace quokka::testing {
namespace {

using BlobStoreTest = StorageTest;
QUOKKA_INSTANTIATE_STORAGE_TEST(BlobStoreTest);

TEST_P(BlobStoreTest, StoresAValueUnderItsSha256) {
  auto id = storage().put_blob("hello", 100, Sync::kYes);
  ASSERT_TRUE(id.is_ok()) << id.status().to_string();
  EXPECT_EQ(*id, BlobId::of("hello"));
  auto value = storage().get_blob(*id);
  ASSERT_TRUE(value.is_ok()) << value.status().to_string();
  EXPECT_EQ(*value, "hello");
  EXPECT_TRUE(*storage().has_blob(*id));
}

TEST_P(BlobStoreTest, StoringTheSameValueTwiceIsHarmless) {
  BlobId id = *storage().put_blob("same", 100, Sync::kYes);
  point("k", id);
  EXPECT_EQ(*storage().put_blob("same", 200, Sync::kYes), id);
  EXPECT_EQ(*storage().blob_reference_count(id), 1u);
  EXPECT_EQ(*storage().get_blob(id), "same");
}

TEST_P(BlobStoreTest, AMissingBlobIsNotFound) {
  auto value = storage().get_blob(BlobId::of("never stored"));
  ASSERT_FALSE(value.is_ok());
  EXPECT_EQ(value.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(*storage().has_blob(BlobId::of("never stored")));
}

TEST_P(BlobStoreTest, DamagedBytesAreReportedCorruptNeverReturned) {
  BlobId id = *storage().put_blob("precious", 100, Sync::kYes);
  // Flip the stored bytes behind the store's back, as a bad disk would.
  Status damaged = harness.kv().write(
      {KvWrite{KvWrite::Kind::kPut, KeySpace::kBlobs, std::string(id.bytes()),
               "pr3cious"}},
      Sync::kYes);
  ASSERT_TRUE(damaged.is_ok());
  auto value = storage().get_blob(id);
  ASSERT_FALSE(value.is_ok());
  EXPECT_EQ(value.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(value.status().message().find(id.hex()), std::string::npos)
      << value.status().message();
}

TEST_P(BlobStoreTest, CountsThePointersNamingABlob) {
  BlobId id = *storage().put_blob("shared", 100, Sync::kYes);
  BlobId other = *storage().put_blob("other", 100, Sync::kYes);
  EXPECT_EQ(*storage().blob_reference_count(id), 0u);
  WriteBatch two;
  two.put_pointer("a", pointer_to(id, 6, 1), 200);
  two.put_pointer("b", pointer_to(id, 6, 2), 200);
  commit_ok(two);
  EXPECT_EQ(*storage().blob_reference_count(id), 2u);
  // Pointing a key at the blob it already names changes nothing.
  point("b", id);
  EXPECT_EQ(*storage().blob_reference_count(id), 2u);
  unpoint("a", 300);
  EXPECT_EQ(*storage().blob_reference_count(id), 1u);
  // Moving the last pointer to another blob unreferences this one.
  point("b", other, 400);
  EXPECT_EQ(*storage().blob_reference_count(id), 0u);
  EXPECT_EQ(*storage().blob_reference_count(other), 1u);
  EXPECT_EQ(*storage().unreferenced_blobs(UINT64_MAX, 10), std::vector<BlobId>{id});
  EXPECT_TRUE(storage().unreferenced_blobs(400, 10)->empty());
}

TEST_P(BlobStoreTest, APointerToAnUnstoredBlobIsRefusedNamingTheBlob) {
  WriteBatch batch;
  batch.put_pointer("k", pointer_to(BlobId::of("absent"), 6, 1), 100);
  Status status = storage().commit(batch, Sync::kYes);
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_NE(status.message().find(BlobId::of("absent").hex()), std::string::npos)
      << status.message();
  EXPECT_FALSE(storage().get_pointer("k")->has_value());
}

TEST_P(BlobStoreTest, DeletingAnAbsentPointerChangesNothing) {
  BlobId id = *storage().put_blob("v", 100, Sync::kYes);
  point("k", id);
  unpoint("other key", 200);
  EXPECT_EQ(*storage().blob_reference_count(id), 1u);
  EXPECT_TRUE(storage().get_pointer("k")->has_value());
}

TEST_P(BlobStoreTest, ARefusedBatchLeavesNoTrace) {
  BlobId id = *storage().put_blob("v", 100, Sync::kYes);
  WriteBatch batch;
  batch.put_pointer("k", pointer_to(id, 1, 1), 200);
  batch.put_blob("another value", 100);
  batch.put_pointer("j", pointer_to(BlobId::of("never stored"), 1, 1), 200);  // refused
  Status status = storage().commit(batch, Sync::kYes);
  ASSERT_EQ(status.code(), ErrorCode::kNotFound) << status.to_string();
  EXPECT_FALSE(storage().get_pointer("k")->has_value());
  EXPECT_EQ(*storage().blob_reference_count(id), 0u);
  EXPECT_FALSE(*storage().has_blob(BlobId::of("another value")));
  EXPECT_EQ(*storage().unreferenced_blobs(UINT64_MAX, 10), std::vector<BlobId>{id});
}

TEST_P(BlobStoreTest, ListsBlobsUnreferencedLongerThanTheGracePeriod) {
  BlobId young = *storage().put_blob("young", 500, Sync::kYes);
  BlobId old = *storage().put_blob("old", 100, Sync::kYes);
  BlobId held = *storage().put_blob("held", 50, Sync::kYes);
  point("h", held);

  EXPECT_EQ(*storage().unreferenced_blobs(400, 10), std::vector<BlobId>{old});
  EXPECT_EQ(*storage().unreferenced_blobs(1000, 10),
            (std::vector<BlobId>{old, young}));
  EXPECT_EQ(storage().unreferenced_blobs(1000, 1)->size(), 1u);

  unpoint("h", 700);
  EXPECT_EQ(*storage().unreferenced_blobs(701, 10),
            (std::vector<BlobId>{old, young, held}));
}

TEST_P(BlobStoreTest, TheUnreferencedListIsRebuiltFromTheCountsOnReopen) {
  BlobId young = *storage().put_blob("young", 500, Sync::kYes);
  BlobId old = *storage().put_blob("old", 100, Sync::kYes);
  BlobId held = *storage().put_blob("held", 50, Sync::kYes);
  BlobId released = *storage().put_blob("released", 50, Sync::kYes);
  point("h", held);
  point("r", released);
  unpoint("r", 300);

  harness.reopen();
  EXPECT_EQ(*storage().unreferenced_blobs(UINT64_MAX, 10),
            (std::vector<BlobId>{old, released, young}));
  EXPECT_EQ(*storage().unreferenced_blobs(301, 10), (std::vector<BlobId>{old, released}));
  EXPECT_EQ(storage().stats().blobs_unreferenced, 3u);
  EXPECT_EQ(storage().stats().blobs, 4u);
  // The index lives in memory: no write puts anything on disk for it.
  auto on_disk = harness.kv().last_key(KeySpace::kUnreferenced);
  ASSERT_TRUE(on_disk.is_ok());
  EXPECT_FALSE(on_disk->has_value());
}

TEST_P(BlobStoreTest, DeletesOnlyBlobsStillUnreferencedSinceTheCutoff) {
  BlobId stale = *storage().put_blob("stale", 100, Sync::kYes);
  BlobId refreshed = *storage().put_blob("refreshed", 100, Sync::kYes);
  BlobId referenced = *storage().put_blob("referenced", 100, Sync::kYes);
  // A writer stores "refreshed" again after the collector listed it, and
  // "referenced" gains a pointer: neither may go.
  ASSERT_TRUE(storage().put_blob("refreshed", 900, Sync::kYes).is_ok());
  point("k", referenced);

  WriteBatch collect;
  for (const BlobId& id : {stale, refreshed, referenced}) {
    collect.delete_blob_if_unreferenced(id, 500);
  }
  commit_ok(collect);
  EXPECT_FALSE(*storage().has_blob(stale));
  EXPECT_EQ(storage().get_blob(stale).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(*storage().has_blob(refreshed));
  EXPECT_TRUE(*storage().has_blob(referenced));
  EXPECT_TRUE(storage().unreferenced_blobs(500, 10)->empty());
}

TEST_P(BlobStoreTest, BlobsAndCountsSurviveReopen) {
  BlobId id = *storage().put_blob(std::string(100000, 'x'), 100, Sync::kYes);
  point("k", id);
  harness.reopen();
  EXPECT_EQ(storage().get_blob(id)->size(), 100000u);
  EXPECT_EQ(*storage().blob_reference_count(id), 1u);
}

// The node stores values it hashed on arrival without hashing them again;
// with RocksDB a large one lives in a file of its own, read back and
// checked against its name.
TEST_P(BlobStoreTest, AValueStoredUnderItsKnownHashReadsBackAfterReopen) {
  const std::string large(300000, 'k');
  const BlobId id = BlobId::of(large);
  WriteBatch batch;
  batch.put_hashed_blob(id, large, 100);
  batch.put_pointer("k", pointer_to(id, large.size(), 1), 100);
  commit_ok(batch);
  harness.reopen();
  auto value = storage().get_blob(id);
  ASSERT_TRUE(value.is_ok()) << value.status().to_string();
  EXPECT_EQ(*value, large);
  EXPECT_EQ(*storage().blob_reference_count(id), 1u);
}

// The counts are not on disk: the open counts the pointers, so what a
// reopen shows is what the pointers say, through overwrites and deletes.
TEST_P(BlobStoreTest, CountsAreTheStoredPointersAfterReopen) {
  BlobId one = *storage().put_blob("one", 100, Sync::kYes);
  BlobId two = *storage().put_blob("two", 100, Sync::kYes);
  BlobId gone = *storage().put_blob("gone", 100, Sync::kYes);
  WriteBatch batch;
  batch.put_pointer("a", pointer_to(one, 3, 1), 200);
  batch.put_pointer("b", pointer_to(one, 3, 2), 200);
  batch.put_pointer("c", pointer_to(gone, 4, 3), 200);
  batch.put_pointer("c", pointer_to(two, 3, 4), 250);
  batch.put_pointer("d", pointer_to(two, 3, 5), 200);
  batch.delete_pointer("a", 260);
  commit_ok(batch);

  harness.reopen();
  EXPECT_EQ(*storage().blob_reference_count(one), 1u);
  EXPECT_EQ(*storage().blob_reference_count(two), 2u);
  EXPECT_EQ(*storage().blob_reference_count(gone), 0u);
  // `gone` keeps the time its last pointer moved away, not its put's.
  EXPECT_TRUE(storage().unreferenced_blobs(250, 10)->empty());
  EXPECT_EQ(*storage().unreferenced_blobs(251, 10), std::vector<BlobId>{gone});
  // And the store goes on counting from there.
  unpoint("b", 300);
  harness.reopen();
  EXPECT_EQ(*storage().blob_reference_count(one), 0u);
  EXPECT_EQ(*storage().unreferenced_blobs(301, 10), (std::vector<BlobId>{gone, one}));
}

TEST_P(BlobStoreTest, APointerToAMissingBlobMakesTheOpenFailCorruptNamingTheBlob) {
  const BlobId absent = BlobId::of("lost");
  ASSERT_TRUE(harness.kv()
                  .write({KvWrite{KvWrite::Kind::kPut, KeySpace::kPointers, "k",
                                  record_codec::encode_pointer(pointer_to(absent, 4, 1))}},
                         Sync::kYes)
                  .is_ok());
  Status status = harness.try_reopen();
  EXPECT_EQ(status.code(), ErrorCode::kCorrupt);
  EXPECT_NE(status.message().find(absent.hex()), std::string::npos) << status.message();
}

}  // namespace
}  // namespace quokka::testing
