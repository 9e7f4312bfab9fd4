#include "tests/unit/storage_test_fixture.h"

namespace quokka::testing {
namespace {

using StateSnapshotTest = StorageTest;
QUOKKA_INSTANTIATE_STORAGE_TEST(StateSnapshotTest);

// Puts key -> value the way the node applies a write: blob, pointer (and
// with it the reference) and applied state in one batch.
void apply_put(Storage& storage, const std::string& key,
               const std::string& value, uint64_t revision) {
  WriteBatch batch;
  BlobId id = batch.put_blob(value, revision);
  batch.put_pointer(key,
                    PointerRecord{id, value.size(), Revision(revision), Revision(revision), 1},
                    revision);
  batch.set_applied_state(
      AppliedState{LogIndex(revision), Term(1), Revision(revision)});
  Status status = storage.commit(batch, Sync::kYes);
  ASSERT_TRUE(status.is_ok()) << status.to_string();
}

TEST_P(StateSnapshotTest, CapturesPointersAndTheBlobsTheyReference) {
  apply_put(storage(), "a", "shared", 1);
  apply_put(storage(), "b", "shared", 2);
  apply_put(storage(), "c", "own", 3);
  ASSERT_TRUE(storage().put_blob("orphan", 4, Sync::kYes).is_ok());

  auto snapshot = storage().create_snapshot();
  ASSERT_TRUE(snapshot.is_ok()) << snapshot.status().to_string();
  EXPECT_EQ(snapshot->applied,
            (AppliedState{LogIndex(3), Term(1), Revision(3)}));
  ASSERT_EQ(snapshot->pointers.size(), 3u);
  EXPECT_EQ(snapshot->pointers[0].key, "a");
  std::vector<BlobId> expected{BlobId::of("shared"), BlobId::of("own")};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(snapshot->blobs, expected);
}

TEST_P(StateSnapshotTest, RestoreNeedsEveryBlobFirst) {
  apply_put(storage(), "a", "one", 1);
  apply_put(storage(), "b", "two", 2);
  StateSnapshot snapshot = *storage().create_snapshot();

  StorageHarness target(GetParam());
  ASSERT_TRUE(target.storage().put_blob("one", 1, Sync::kYes).is_ok());
  EXPECT_EQ(*target.storage().missing_blobs(snapshot),
            std::vector<BlobId>{BlobId::of("two")});
  WriteBatch early;
  early.restore_snapshot(snapshot, 10);
  Status refused = target.storage().commit(early, Sync::kYes);
  EXPECT_EQ(refused.code(), ErrorCode::kNotFound);
  EXPECT_NE(refused.message().find(BlobId::of("two").hex()), std::string::npos)
      << refused.message();
  EXPECT_FALSE(target.storage().get_pointer("a")->has_value());
}

TEST_P(StateSnapshotTest, RestoreReplacesStateAndRecountsReferences) {
  apply_put(storage(), "a", "shared", 1);
  apply_put(storage(), "b", "shared", 2);
  StateSnapshot snapshot = *storage().create_snapshot();

  StorageHarness target(GetParam());
  Storage& restored = target.storage();
  apply_put(restored, "stale-key", "stale", 1);
  WriteBatch log;
  log.append_log_entries({entry(1, 1), entry(2, 1), entry(3, 1)});
  ASSERT_TRUE(restored.commit(log, Sync::kYes).is_ok());

  WriteBatch restore;
  restore.put_blob("shared", 50);  // the blob arrives in the same batch
  restore.restore_snapshot(snapshot, 100);
  Status status = restored.commit(restore, Sync::kYes);
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  target.reopen();

  Storage& reopened = target.storage();
  EXPECT_EQ(*reopened.create_snapshot(), snapshot);
  EXPECT_FALSE(reopened.get_pointer("stale-key")->has_value());
  EXPECT_EQ(*reopened.blob_reference_count(BlobId::of("shared")), 2u);
  EXPECT_EQ(*reopened.blob_reference_count(BlobId::of("stale")), 0u);
  EXPECT_EQ(*reopened.unreferenced_blobs(101, 10),
            std::vector<BlobId>{BlobId::of("stale")});
  EXPECT_EQ(reopened.compacted_through(), (LogPosition{LogIndex(2), Term(1)}));
  EXPECT_EQ(reopened.first_index(), LogIndex(3));
  EXPECT_EQ(reopened.last_index(), LogIndex(2));
  EXPECT_EQ(reopened.applied_state(), snapshot.applied);
}

void commit_ok_on(Storage& storage, const WriteBatch& batch) {
  Status status = storage.commit(batch, Sync::kYes);
  ASSERT_TRUE(status.is_ok()) << status.to_string();
}

void put_record(Storage& storage, const std::string& name,
                const std::string& value) {
  WriteBatch batch;
  batch.put_node_record(name, value);
  commit_ok_on(storage, batch);
}

TEST_P(StateSnapshotTest, CapturesNodeRecordsWithThePointers) {
  // The node writes a session record in the batch of the entry it applies.
  WriteBatch batch;
  BlobId id = batch.put_blob("value", 1);
  batch.put_pointer("a", PointerRecord{id, 5, Revision(1), Revision(1), 1}, 1);
  batch.put_node_record("session/2", "seq=1");
  batch.set_applied_state(AppliedState{LogIndex(1), Term(1), Revision(1)});
  commit_ok(batch);
  put_record(storage(), "membership", "1,2,3");
  put_record(storage(), "session/1", "seq=9");

  auto snapshot = storage().create_snapshot();
  ASSERT_TRUE(snapshot.is_ok()) << snapshot.status().to_string();
  EXPECT_EQ(snapshot->node_records,
            (std::vector<KvPair>{{"membership", "1,2,3"},
                                 {"session/1", "seq=9"},
                                 {"session/2", "seq=1"}}));
  EXPECT_EQ(snapshot->node_records, *storage().node_records("", 100));
  ASSERT_EQ(snapshot->pointers.size(), 1u);
}

TEST_P(StateSnapshotTest, RestoreReplacesEveryNodeRecord) {
  apply_put(storage(), "a", "one", 1);
  put_record(storage(), "membership", "1,2,3");
  put_record(storage(), "session/1", "seq=9");
  StateSnapshot snapshot = *storage().create_snapshot();

  StorageHarness target(GetParam());
  Storage& restored = target.storage();
  put_record(restored, "membership", "1,2");   // replaced
  put_record(restored, "session/0", "seq=3");  // not in the snapshot
  put_record(restored, "zzz", "stale");        // not in the snapshot
  WriteBatch restore;
  restore.put_blob("one", 10);
  restore.put_node_record("session/5", "seq=1");  // earlier in the batch
  restore.restore_snapshot(snapshot, 10);
  commit_ok_on(restored, restore);
  target.reopen();

  Storage& reopened = target.storage();
  EXPECT_EQ(*reopened.node_records("", 100),
            (std::vector<KvPair>{{"membership", "1,2,3"},
                                 {"session/1", "seq=9"}}));
  EXPECT_EQ(*reopened.get_node_record("session/0"), std::nullopt);
  EXPECT_EQ(*reopened.get_node_record("session/5"), std::nullopt);
  EXPECT_EQ(*reopened.create_snapshot(), snapshot);

  // Records put after the restore in the same batch survive it.
  WriteBatch again;
  again.restore_snapshot(snapshot, 20);
  again.put_node_record("session/6", "seq=1");
  commit_ok_on(reopened, again);
  EXPECT_EQ(*reopened.get_node_record("session/6"),
            std::optional<std::string>("seq=1"));
  EXPECT_EQ(reopened.node_records("", 100)->size(), 3u);
}

TEST_P(StateSnapshotTest, RestoreRefusesBadNodeRecords) {
  put_record(storage(), "membership", "1,2,3");
  StateSnapshot good = *storage().create_snapshot();
  std::vector<std::vector<KvPair>> bad = {
      {{"b", "1"}, {"a", "2"}},  // out of order
      {{"a", "1"}, {"a", "2"}},  // a duplicate
      {{"", "1"}},               // an empty name
      {{std::string(kNodeRecordNameBytesMax + 1, 'n'), "1"}},
  };
  for (const std::vector<KvPair>& records : bad) {
    StateSnapshot snapshot = good;
    snapshot.node_records = records;
    WriteBatch restore;
    restore.restore_snapshot(snapshot, 10);
    Status refused = storage().commit(restore, Sync::kYes);
    EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument)
        << refused.to_string();
  }
  EXPECT_EQ(*storage().node_records("", 100),
            (std::vector<KvPair>{{"membership", "1,2,3"}}));
}

TEST_P(StateSnapshotTest, ASnapshotWhoseBlobListDisagreesIsRefused) {
  apply_put(storage(), "a", "one", 1);
  StateSnapshot snapshot = *storage().create_snapshot();
  snapshot.blobs.clear();
  WriteBatch restore;
  restore.restore_snapshot(snapshot, 10);
  EXPECT_EQ(storage().commit(restore, Sync::kYes).code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace quokka::testing
