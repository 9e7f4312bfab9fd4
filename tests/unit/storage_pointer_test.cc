#include "tests/unit/storage_test_fixture.h"

namespace quokka::testing {
namespace {

using PointerTableTest = StorageTest;
QUOKKA_INSTANTIATE_STORAGE_TEST(PointerTableTest);

std::vector<std::string> keys_of(const PointerPage& page) {
  std::vector<std::string> keys;
  for (const KeyPointer& pointer : page.pointers) keys.push_back(pointer.key);
  return keys;
}

TEST_P(PointerTableTest, PutGetDelete) {
  WriteBatch put;
  BlobId id = put.put_blob("v", 1);
  put.put_pointer("key", pointer_to(id, 1, 7), 1);
  put.set_applied_state(AppliedState{LogIndex(3), Term(1), Revision(7)});
  commit_ok(put);
  auto record = storage().get_pointer("key");
  ASSERT_TRUE(record.is_ok());
  ASSERT_TRUE(record->has_value());
  EXPECT_EQ(**record, pointer_to(id, 1, 7));
  EXPECT_EQ(storage().applied_state(),
            (AppliedState{LogIndex(3), Term(1), Revision(7)}));

  WriteBatch erase;
  erase.delete_pointer("key", 2);
  commit_ok(erase);
  EXPECT_FALSE(storage().get_pointer("key")->has_value());
}

TEST_P(PointerTableTest, RangesAreOrderedHalfOpenAndPaged) {
  WriteBatch batch;
  for (std::string key : {"a", "b", "b/1", "b/2", "c", "d"}) {
    batch.put_pointer(key, pointer_to(batch.put_blob(key, 1), 1, 1), 1);
  }
  commit_ok(batch);

  auto all = storage().range_pointers("", "", 100);
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(keys_of(*all),
            (std::vector<std::string>{"a", "b", "b/1", "b/2", "c", "d"}));
  EXPECT_FALSE(all->more);

  auto interval = storage().range_pointers("b", "c", 100);
  EXPECT_EQ(keys_of(*interval), (std::vector<std::string>{"b", "b/1", "b/2"}));

  auto first_page = storage().range_pointers("a", "", 2);
  EXPECT_EQ(keys_of(*first_page), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(first_page->more);
  auto second_page =
      storage().range_pointers(first_page->pointers.back().key + '\0', "", 2);
  EXPECT_EQ(keys_of(*second_page), (std::vector<std::string>{"b/1", "b/2"}));
  EXPECT_TRUE(second_page->more);
  auto last_page =
      storage().range_pointers(second_page->pointers.back().key + '\0', "", 2);
  EXPECT_EQ(keys_of(*last_page), (std::vector<std::string>{"c", "d"}));
  EXPECT_FALSE(last_page->more);
}

TEST_P(PointerTableTest, PrefixScansUsePrefixEnd) {
  WriteBatch batch;
  for (std::string key : {"app", "app/x", "app/y", "apq", "b"}) {
    batch.put_pointer(key, pointer_to(batch.put_blob(key, 1), 1, 1), 1);
  }
  commit_ok(batch);
  auto page = storage().range_pointers("app/", prefix_end("app/"), 100);
  EXPECT_EQ(keys_of(*page), (std::vector<std::string>{"app/x", "app/y"}));
}

TEST_P(PointerTableTest, AZeroLimitIsRefused) {
  auto page = storage().range_pointers("", "", 0);
  ASSERT_FALSE(page.is_ok());
  EXPECT_EQ(page.status().code(), ErrorCode::kInvalidArgument);
}

TEST_P(PointerTableTest, KeysMayHoldAnyBytes) {
  std::string key("\0\xff\x01", 3);
  WriteBatch batch;
  batch.put_pointer(key, pointer_to(batch.put_blob("v", 1), 1, 1), 1);
  commit_ok(batch);
  harness.reopen();
  EXPECT_TRUE(storage().get_pointer(key)->has_value());
}

TEST(PrefixEndTest, IncrementsTheLastByteThatCanGrow) {
  EXPECT_EQ(prefix_end("abc"), "abd");
  EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
  EXPECT_EQ(prefix_end(std::string("\xff\xff", 2)), "");
  EXPECT_EQ(prefix_end(""), "");
}

}  // namespace
}  // namespace quokka::testing
