// The value and reference-count spaces, keyed by SHA-256, keep memtables
// that are not in key order: hashed by key prefix for the values (point
// writes and reads are most of their traffic), an unsorted vector for the
// reference records (written, and read only by the scan at open). What must
// not change is what a scan, a last-key read or a lookup sees: every live
// key, in key order, whether it sits in the memtable, in one waiting to be
// flushed, or in files.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/blob_id.h"
#include "common/deterministic_random.h"
#include "storage/rocksdb_kv_store.h"
#include "tests/support/flushing_rocksdb.h"

namespace quokka::testing {
namespace {

std::vector<KvPair> scan_all(const KvReader& reader, KeySpace space, size_t page) {
  std::vector<KvPair> all;
  std::string start;
  while (true) {
    auto got = reader.scan(space, start, "", page);
    EXPECT_TRUE(got.is_ok()) << got.status().to_string();
    if (!got.is_ok()) return all;
    all.insert(all.end(), got->begin(), got->end());
    if (got->size() < page) return all;
    start = got->back().key + std::string(1, '\0');
  }
}

class UnorderedMemtableTest : public ::testing::TestWithParam<KeySpace> {};

TEST_P(UnorderedMemtableTest, ScansSeeEveryKeyInOrderAcrossMemtablesAndFiles) {
  const KeySpace space = GetParam();
  FlushingRocksDb store(64 * 1024);  // flushes every few hundred writes
  RocksDbKvStore& kv = store.kv();

  DeterministicRandom random(7);
  std::map<std::string, std::string> model;
  std::vector<std::string> ids;
  for (int batch = 0; batch < 60; ++batch) {
    std::vector<KvWrite> writes;
    for (int i = 0; i < 50; ++i) {
      const std::string value = "value " + std::to_string(batch * 50 + i);
      std::string id(BlobId::of(value).bytes());
      ids.push_back(id);
      writes.push_back(KvWrite{KvWrite::Kind::kPut, space, id, value});
      model[id] = value;
    }
    // Delete some keys written before, some of them already flushed.
    for (int i = 0; i < 10; ++i) {
      const std::string& id = ids[random.below(ids.size())];
      writes.push_back(KvWrite{KvWrite::Kind::kDelete, space, id, ""});
      model.erase(id);
    }
    ASSERT_TRUE(kv.write(writes, Sync::kNo).is_ok());
  }
  ASSERT_GT(model.size(), 2000u);

  std::vector<KvPair> expected;
  for (const auto& [key, value] : model) expected.push_back(KvPair{key, value});
  EXPECT_EQ(scan_all(kv, space, 97), expected);
  std::unique_ptr<KvReader> view = kv.read_view();
  EXPECT_EQ(scan_all(*view, space, 1000), expected);

  // A scan that starts inside the space, between keys, and one with an end.
  const std::string& middle = expected[expected.size() / 2].key;
  auto from_middle = kv.scan(space, middle, "", 3);
  ASSERT_TRUE(from_middle.is_ok());
  EXPECT_EQ(*from_middle,
            std::vector<KvPair>(expected.begin() + static_cast<long>(expected.size() / 2),
                                expected.begin() + static_cast<long>(expected.size() / 2 + 3)));
  auto bounded = kv.scan(space, "", middle, expected.size());
  ASSERT_TRUE(bounded.is_ok());
  EXPECT_EQ(bounded->size(), expected.size() / 2);

  auto last = kv.last_key(space);
  ASSERT_TRUE(last.is_ok());
  EXPECT_EQ(*last, std::optional<std::string>(expected.back().key));
  for (const std::string& id : ids) {
    auto got = kv.get(space, id);
    ASSERT_TRUE(got.is_ok());
    auto in_model = model.find(id);
    EXPECT_EQ(got->has_value(), in_model != model.end());
    if (got->has_value() && in_model != model.end()) {
      EXPECT_EQ(**got, in_model->second);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ValueSpaces, UnorderedMemtableTest,
                         ::testing::Values(KeySpace::kBlobs, KeySpace::kBlobRefs),
                         [](const auto& info) {
                           return info.param == KeySpace::kBlobs ? std::string("Values")
                                                                 : std::string("ReferenceCounts");
                         });

}  // namespace
}  // namespace quokka::testing
