#include "storage/record_codec.h"
#include "tests/unit/storage_test_fixture.h"

namespace quokka::testing {
namespace {

using NodeRecordTest = StorageTest;
QUOKKA_INSTANTIATE_STORAGE_TEST(NodeRecordTest);

std::vector<std::string> names_of(const std::vector<KvPair>& records) {
  std::vector<std::string> names;
  for (const KvPair& record : records) names.push_back(record.key);
  return names;
}

TEST_P(NodeRecordTest, PutGetReplaceDelete) {
  WriteBatch put;
  put.put_node_record("session/7", "seq=1");
  commit_ok(put);
  auto read = storage().get_node_record("session/7");
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  EXPECT_EQ(*read, std::optional<std::string>("seq=1"));

  WriteBatch replace;
  replace.put_node_record("session/7", "seq=2");
  commit_ok(replace);
  EXPECT_EQ(*storage().get_node_record("session/7"),
            std::optional<std::string>("seq=2"));

  WriteBatch erase;
  erase.delete_node_record("session/7");
  commit_ok(erase);
  EXPECT_EQ(*storage().get_node_record("session/7"), std::nullopt);
}

TEST_P(NodeRecordTest, DeletingAMissingRecordIsANoOp) {
  WriteBatch erase;
  erase.delete_node_record("never-written");
  commit_ok(erase);
  EXPECT_EQ(*storage().get_node_record("never-written"), std::nullopt);
  EXPECT_TRUE(storage().node_records("", 10)->empty());
}

TEST_P(NodeRecordTest, ListsAscendingByNameWithoutAnyInternalPrefix) {
  WriteBatch batch;
  for (std::string name : {"session/2", "membership", "session/10",
                           "session/1", "sessions"}) {
    batch.put_node_record(name, "value of " + name);
  }
  commit_ok(batch);
  harness.reopen();

  auto all = storage().node_records("", 100);
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  EXPECT_EQ(names_of(*all),
            (std::vector<std::string>{"membership", "session/1", "session/10",
                                      "session/2", "sessions"}));
  EXPECT_EQ((*all)[0].value, "value of membership");

  auto sessions = storage().node_records("session/", 100);
  EXPECT_EQ(names_of(*sessions),
            (std::vector<std::string>{"session/1", "session/10", "session/2"}));

  auto limited = storage().node_records("session/", 2);
  EXPECT_EQ(names_of(*limited),
            (std::vector<std::string>{"session/1", "session/10"}));

  EXPECT_TRUE(storage().node_records("nothing/", 100)->empty());
}

TEST_P(NodeRecordTest, AZeroListLimitIsRefused) {
  auto listed = storage().node_records("", 0);
  ASSERT_FALSE(listed.is_ok());
  EXPECT_EQ(listed.status().code(), ErrorCode::kInvalidArgument);
}

TEST_P(NodeRecordTest, NamesMayHoldAnyBytesUpToTheLimit) {
  std::string binary("\0\xff\x01", 3);
  std::string longest(kNodeRecordNameBytesMax, '\xff');
  WriteBatch batch;
  batch.put_node_record(binary, std::string("\0value", 6));
  batch.put_node_record(longest, "");
  commit_ok(batch);
  harness.reopen();

  EXPECT_EQ(*storage().get_node_record(binary),
            std::optional<std::string>(std::string("\0value", 6)));
  EXPECT_EQ(*storage().get_node_record(longest),
            std::optional<std::string>(""));
  EXPECT_EQ(names_of(*storage().node_records("", 10)),
            (std::vector<std::string>{binary, longest}));
  EXPECT_EQ(names_of(*storage().node_records(std::string(1, '\xff'), 10)),
            (std::vector<std::string>{longest}));
}

TEST_P(NodeRecordTest, BadNamesAreRefusedNamingTheLimitAndTheSize) {
  std::string too_long(kNodeRecordNameBytesMax + 1, 'n');
  for (const std::string& name : {std::string(), too_long}) {
    std::string size = fmt::format("got {} bytes", name.size());
    std::string limit = fmt::format("1 to {} bytes", kNodeRecordNameBytesMax);

    WriteBatch put;
    put.put_node_record(name, "value");
    Status refused = storage().commit(put, Sync::kYes);
    EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(refused.message().find(limit), std::string::npos)
        << refused.message();
    EXPECT_NE(refused.message().find(size), std::string::npos)
        << refused.message();

    WriteBatch erase;
    erase.delete_node_record(name);
    EXPECT_EQ(storage().commit(erase, Sync::kYes).code(),
              ErrorCode::kInvalidArgument);

    auto read = storage().get_node_record(name);
    ASSERT_FALSE(read.is_ok());
    EXPECT_EQ(read.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(read.status().message().find(size), std::string::npos)
        << read.status().message();
  }
  EXPECT_TRUE(storage().node_records("", 10)->empty());
}

TEST_P(NodeRecordTest, ARefusedBatchWritesNoRecord) {
  WriteBatch before;
  before.put_node_record("membership", "v1");
  commit_ok(before);

  // A record change beside the pointer change and applied state of an entry,
  // refused by a later change of the same batch.
  WriteBatch refused;
  BlobId id = refused.put_blob("value", 1);
  refused.put_pointer("key", pointer_to(id, 5, 1), 1);
  refused.put_node_record("session/1", "seq=1");
  refused.put_node_record("membership", "v2");
  refused.set_applied_state(AppliedState{LogIndex(1), Term(1), Revision(1)});
  refused.put_pointer("other", pointer_to(BlobId::of("never stored"), 5, 1), 1);
  EXPECT_EQ(storage().commit(refused, Sync::kYes).code(),
            ErrorCode::kNotFound);

  // A bad name refuses the batch too, good records before it included.
  WriteBatch bad_name;
  bad_name.put_node_record("session/2", "seq=1");
  bad_name.delete_node_record("membership");
  bad_name.put_node_record("", "value");
  EXPECT_EQ(storage().commit(bad_name, Sync::kYes).code(),
            ErrorCode::kInvalidArgument);

  EXPECT_EQ(*storage().get_node_record("membership"),
            std::optional<std::string>("v1"));
  EXPECT_EQ(names_of(*storage().node_records("", 10)),
            std::vector<std::string>{"membership"});
  EXPECT_FALSE(storage().get_pointer("key")->has_value());
  EXPECT_EQ(storage().applied_state(), AppliedState{});
}

TEST_P(NodeRecordTest, AppliedWithThePointersOfAnEntry) {
  WriteBatch batch;
  BlobId id = batch.put_blob("value", 1);
  batch.put_pointer("key", pointer_to(id, 5, 3), 1);
  batch.put_node_record("session/9", "seq=4");
  batch.set_applied_state(AppliedState{LogIndex(3), Term(2), Revision(3)});
  commit_ok(batch);
  harness.reopen();
  EXPECT_TRUE(storage().get_pointer("key")->has_value());
  EXPECT_EQ(*storage().get_node_record("session/9"),
            std::optional<std::string>("seq=4"));
  EXPECT_EQ(storage().applied_state(),
            (AppliedState{LogIndex(3), Term(2), Revision(3)}));
}

TEST_P(NodeRecordTest, NamesOfFixedMetaKeysDoNotReachThem) {
  HardState hard{Term(4), NodeId(2), LogIndex(9)};
  WriteBatch state;
  state.set_hard_state(hard);
  commit_ok(state);

  WriteBatch records;
  for (std::string_view key : meta_key::kFixedKeys) {
    records.put_node_record(std::string(key), "not a meta record");
  }
  commit_ok(records);
  // Reopening decodes every fixed meta record; a clobbered one is CORRUPT.
  harness.reopen();
  EXPECT_EQ(storage().hard_state(), hard);
  auto version = harness.kv().get(KeySpace::kMeta, meta_key::kFormatVersion);
  EXPECT_EQ(record_codec::decode_format_version(**version),
            kStorageFormatVersion);
  EXPECT_EQ(storage().node_records("", 10)->size(),
            meta_key::kFixedKeys.size());

  // Nor does deleting every record, or replacing them all by a restore.
  WriteBatch erase;
  for (std::string_view key : meta_key::kFixedKeys) {
    erase.delete_node_record(std::string(key));
  }
  commit_ok(erase);
  WriteBatch restore;
  restore.restore_snapshot(StateSnapshot{}, 1);
  commit_ok(restore);
  harness.reopen();
  EXPECT_EQ(storage().hard_state(), hard);
  EXPECT_TRUE(storage().node_records("", 10)->empty());
}

}  // namespace
}  // namespace quokka::testing
