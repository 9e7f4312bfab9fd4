#pragma once

#include <array>
#include <memory>
#include <string>

#include "storage/kv_store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Statistics;
}  // namespace rocksdb

namespace quokka {

struct RocksDbOptions {
  // Blobs of at least this size go to RocksDB's blob files instead of the
  // LSM tree, so compaction does not rewrite large values again and again.
  uint64_t blob_file_value_bytes_min = 4096;
  // Create the database when the directory holds none.
  bool create_if_missing = true;
};

// KvStore on RocksDB: one column family per KeySpace, one atomic
// rocksdb::WriteBatch per write() with WriteOptions::sync set from `sync`.
// Views (read_view) hold a RocksDB snapshot and must not outlive the store.
class RocksDbKvStore final : public KvStore {
 public:
  static Result<std::unique_ptr<RocksDbKvStore>> open(
      const std::string& directory, const RocksDbOptions& options = {});
  ~RocksDbKvStore() override;

  RocksDbKvStore(const RocksDbKvStore&) = delete;
  RocksDbKvStore& operator=(const RocksDbKvStore&) = delete;

  Result<std::optional<std::string>> get(KeySpace space,
                                         std::string_view key) const override;
  Result<std::vector<KvPair>> scan(KeySpace space, std::string_view start,
                                   std::string_view end,
                                   size_t limit) const override;
  Result<std::optional<std::string>> last_key(KeySpace space) const override;
  Status write(const std::vector<KvWrite>& writes, Sync sync) override;
  std::unique_ptr<KvReader> read_view() const override;
  // From RocksDB's properties (estimate-num-keys, SST, blob file and
  // memtable sizes) and its STALL_MICROS ticker; reads no file.
  KvStoreStats stats() const override;

  const std::string& directory() const { return directory_; }

 private:
  RocksDbKvStore() = default;

  std::string directory_;
  std::unique_ptr<rocksdb::DB> db_;
  // Tickers only (no histograms or timers): the write-stall time.
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::array<rocksdb::ColumnFamilyHandle*, kKeySpaceCount> families_{};
};

}  // namespace quokka
