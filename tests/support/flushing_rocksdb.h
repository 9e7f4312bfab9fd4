#pragma once

#include <cstdint>
#include <memory>

#include "storage/rocksdb_kv_store.h"
#include "tests/support/temp_directory.h"

namespace quokka::testing {

// A RocksDB store in a fresh temporary directory with memtables of
// `memtable_bytes`, so that a test reaches flushed files within a few
// hundred writes.
class FlushingRocksDb {
 public:
  explicit FlushingRocksDb(uint64_t memtable_bytes);

  RocksDbKvStore& kv() { return *kv_; }

 private:
  TempDirectory directory_;
  std::unique_ptr<RocksDbKvStore> kv_;
};

}  // namespace quokka::testing
