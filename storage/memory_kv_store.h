#pragma once

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include "storage/kv_store.h"

namespace quokka {

// The in-memory twin of RocksDbKvStore, for tests and the simulator. Like a
// disk it outlives the Storage opened on it, and it can crash: a crash keeps
// what was synced plus, optionally, a prefix of the unsynced batches (the
// page cache may have written some back before the machine died).
//
// A torn last write needs no separate mode: RocksDB checksums each write
// batch in its write-ahead log and drops a torn one whole on recovery, so a
// torn batch looks exactly like a lost one, and the twin models it that way.
class MemoryKvStore final : public KvStore {
 public:
  MemoryKvStore() = default;

  Result<std::optional<std::string>> get(KeySpace space,
                                         std::string_view key) const override;
  Result<std::vector<KvPair>> scan(KeySpace space, std::string_view start,
                                   std::string_view end,
                                   size_t limit) const override;
  Result<std::optional<std::string>> last_key(KeySpace space) const override;
  Status write(const std::vector<KvWrite>& writes, Sync sync) override;
  std::unique_ptr<KvReader> read_view() const override;
  // Exact: every key counted, every key and value byte summed.
  KvStoreStats stats() const override;

  // Simulates a machine crash: the store reverts to its synced state plus
  // the first `unsynced_batches_kept` batches written since the last sync.
  void crash(size_t unsynced_batches_kept = 0);

  // Batches written with Sync::kNo since the last synced write.
  size_t unsynced_batch_count() const;

  using Space = std::map<std::string, std::string, std::less<>>;
  using Spaces = std::array<Space, kKeySpaceCount>;

 private:
  static void apply(Spaces& spaces, const std::vector<KvWrite>& writes);

  mutable std::mutex mutex_;
  Spaces current_;
  Spaces synced_;
  std::deque<std::vector<KvWrite>> unsynced_batches_;
};

}  // namespace quokka
