#pragma once

#include <memory>
#include <optional>
#include <string>

#include "storage/memory_kv_store.h"
#include "storage/rocksdb_kv_store.h"
#include "storage/storage.h"
#include "tests/support/temp_directory.h"

namespace quokka::testing {

enum class Backend { kRocksDb, kMemory };

std::string backend_name(Backend backend);

// Owns a store of either kind across reopen and crash, so one test body can
// check both the RocksDB store and its in-memory twin.
class StorageHarness {
 public:
  explicit StorageHarness(Backend backend);

  Backend backend() const { return backend_; }
  Storage& storage() { return *storage_; }
  // The raw store under the Storage, to plant damaged records.
  KvStore& kv() { return *kv_; }

  // Closes and opens the store again; nothing synced or unsynced is lost
  // (a process restart: the operating system still holds unsynced writes).
  void reopen();
  // Closes, simulates a machine crash that keeps `unsynced_batches_kept`
  // batches written since the last sync, and opens again. Memory only.
  void crash_and_reopen(size_t unsynced_batches_kept);
  // Batches written without sync since the last synced one. Memory only.
  size_t unsynced_batch_count() const;
  // Opens the store again and returns the error instead of asserting.
  Status try_reopen();

  // Closes the store (for surgery on its files); reopen() opens it again.
  void close();

  const TempDirectory& directory() const { return directory_; }

 private:

  Backend backend_;
  TempDirectory directory_;
  std::shared_ptr<MemoryKvStore> memory_;
  std::shared_ptr<KvStore> kv_;
  std::unique_ptr<Storage> storage_;
};

}  // namespace quokka::testing
