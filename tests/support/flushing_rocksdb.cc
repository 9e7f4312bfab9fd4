#include "tests/support/flushing_rocksdb.h"

#include "common/assert.h"

namespace quokka::testing {

FlushingRocksDb::FlushingRocksDb(uint64_t memtable_bytes) {
  RocksDbOptions options;
  options.memtable_bytes = memtable_bytes;
  auto opened = RocksDbKvStore::open(directory_.string(), options);
  QUOKKA_ASSERT(opened.is_ok(), "opening a new store: {}", opened.status().to_string());
  kv_ = std::move(opened).value();
}

}  // namespace quokka::testing
