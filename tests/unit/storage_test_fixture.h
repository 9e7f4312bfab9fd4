#pragma once

#include <gtest/gtest.h>

#include <string>

#include "storage/storage.h"
#include "tests/support/storage_harness.h"

namespace quokka::testing {

// Runs a test body once against RocksDB and once against the in-memory twin.
class StorageTest : public ::testing::TestWithParam<Backend> {
 protected:
  StorageHarness harness{GetParam()};
  Storage& storage() { return harness.storage(); }

  void commit_ok(const WriteBatch& batch, Sync sync = Sync::kYes) {
    Status status = storage().commit(batch, sync);
    ASSERT_TRUE(status.is_ok()) << status.to_string();
  }

  static PointerRecord pointer_to(const BlobId& id, uint64_t size,
                                  uint64_t revision) {
    return PointerRecord{id, size, Revision(revision), Revision(revision), 1};
  }

  // Points `key` at the stored blob `id`: the way a blob gains a reference.
  void point(const std::string& key, const BlobId& id, uint64_t now_ms = 100) {
    WriteBatch batch;
    batch.put_pointer(key, pointer_to(id, 1, 1), now_ms);
    commit_ok(batch);
  }

  // Deletes the pointer of `key`: its blob loses the reference.
  void unpoint(const std::string& key, uint64_t now_ms) {
    WriteBatch batch;
    batch.delete_pointer(key, now_ms);
    commit_ok(batch);
  }

  static LogEntry entry(uint64_t index, uint64_t term, std::string data = "") {
    return LogEntry{LogIndex(index), Term(term), EntryType::kNormal,
                    std::move(data)};
  }
};

inline std::string backend_test_name(
    const ::testing::TestParamInfo<Backend>& info) {
  return backend_name(info.param);
}

#define QUOKKA_INSTANTIATE_STORAGE_TEST(suite)                              \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                 \
                           ::testing::Values(::quokka::testing::Backend::kRocksDb, \
                                             ::quokka::testing::Backend::kMemory), \
                           ::quokka::testing::backend_test_name)

}  // namespace quokka::testing
