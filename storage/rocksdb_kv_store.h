#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "storage/kv_store.h"
#include "storage/value_files.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Statistics;
}  // namespace rocksdb

namespace quokka {

struct ReadPlace;

struct RocksDbOptions {
  // Blobs of at least this size go to RocksDB's blob files instead of the
  // LSM tree, so compaction does not rewrite large values again and again.
  uint64_t blob_file_value_bytes_min = 4096;
  // Blobs of at least this size go to a file of their own (ValueFiles),
  // written once, instead of through RocksDB, which writes each value twice
  // (write-ahead log, then blob file). UINT64_MAX keeps every blob in RocksDB.
  uint64_t value_file_bytes_min = 256 * 1024;
  // Each column family's memtable (RocksDB's write_buffer_size); 0 keeps
  // RocksDB's default (64 MiB). Tests make it small to see flushes and
  // compactions happen.
  uint64_t memtable_bytes = 0;
  // Create the database when the directory holds none.
  bool create_if_missing = true;
};

// Whether RocksDB should relocate the live values of its oldest blob files
// during compactions, given how much of the live blob files is garbage
// (values deleted since they were written). On past half, off again below a
// quarter: relocating when there is little to reclaim copies (and
// checksums) every value in the oldest files on every compaction, which
// took most of a node's CPU under a stream of 1 MiB writes.
bool value_collection_wanted(bool on_now, uint64_t blob_file_bytes, uint64_t garbage_bytes);

// KvStore on RocksDB: one column family per KeySpace, one atomic
// rocksdb::WriteBatch per write() with WriteOptions::sync set from `sync`.
// Views (read_view) hold a RocksDB snapshot and must not outlive the store.
//
// Large blobs live in value files (`<directory>/values`), each recorded by
// its size under the same key in a column family of its own, written in the
// same batch after the file is durable. A blob's key names its bytes (it is
// their hash), so a blob already stored is not written again. A crash
// between the file and its record leaves a file no record names; opening
// removes it.
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

  // Turns blob garbage collection on or off (value_collection_wanted).
  void steer_value_collection();
  // The size recorded for a value file under `key`, nullopt when none.
  Result<std::optional<uint64_t>> value_file_size(std::string_view key) const;
  // Hands the files of these values, durably deleted, to ValueFiles,
  // unless written again since. retire_locked: value_files_mutex_ held.
  void retire(std::vector<std::pair<std::string, uint64_t>> deleted);
  void retire_locked(std::vector<std::pair<std::string, uint64_t>> deleted);
  ReadPlace latest() const;

  std::string directory_;
  std::unique_ptr<rocksdb::DB> db_;
  // Tickers only (no histograms or timers): the write-stall time.
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::array<rocksdb::ColumnFamilyHandle*, kKeySpaceCount> families_{};
  // key -> size of the value file of a blob.
  rocksdb::ColumnFamilyHandle* value_files_family_ = nullptr;
  std::unique_ptr<ValueFiles> value_files_;
  uint64_t value_file_bytes_min_ = 0;
  std::atomic<uint64_t> value_file_count_{0};
  std::atomic<uint64_t> value_file_bytes_{0};
  // Value files whose records were deleted by writes not yet synced: they
  // are retired by the next sync (a crash could bring the records back).
  // A sync may run during a write, hence the mutex.
  std::mutex deleted_unsynced_mutex_;
  // Held by writes that touch blobs and by the retiring of files, so a
  // value written again is never retired by a sync that ran beside it.
  std::mutex value_files_mutex_;
  std::vector<std::pair<std::string, uint64_t>> deleted_unsynced_;
  std::atomic<bool> value_collection_on_{false};
  // Values written or deleted since the garbage was last looked at. Only
  // write() touches it, and Storage serializes its writes (commit_mutex_).
  uint64_t value_changes_unchecked_ = 0;
};

}  // namespace quokka
