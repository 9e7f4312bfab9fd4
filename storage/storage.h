#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "storage/blob_references.h"
#include "storage/blob_store.h"
#include "storage/kv_store.h"
#include "storage/node_record_table.h"
#include "storage/pointer_table.h"
#include "storage/raft_log.h"
#include "storage/rocksdb_kv_store.h"
#include "storage/state_snapshot.h"
#include "storage/storage_stats.h"
#include "storage/storage_state.h"
#include "storage/write_batch.h"

namespace quokka {

// The on-disk format this binary writes, and the oldest it can read. Stored
// when a store is created and checked on every open.
// Format 1 kept the unreferenced-blob index on disk; format 2 kept every
// reference count on disk. Format 3 derives the counts from the pointers
// when the store opens, and keeps on disk only since when each blob is
// unreferenced. Opening an older store drops format 1's index and stamps it
// format 3 (format 2's records read as format 3's).
inline constexpr uint32_t kStorageFormatVersion = 3;
inline constexpr uint32_t kStorageFormatVersionMin = 1;

// A node's durable state — blobs, pointers, node records, Raft log and hard
// state — over one KvStore: RocksDB in production, MemoryKvStore in tests and
// the simulator. The two behave the same; only durability differs in kind.
//
// Reads may come from any thread at any time. Commits are serialized; each
// is atomic, and becomes visible to readers all at once after it is written.
class Storage final : public BlobStore,
                      public PointerTable,
                      public NodeRecordTable,
                      public RaftLog {
 public:
  // Opens the store. An empty store is stamped with kStorageFormatVersion
  // (synced). A store of another format is refused with UNSUPPORTED_VERSION
  // naming both versions; a store with data but no format version, an
  // undecodable record, or a pointer naming a blob it does not hold, with
  // CORRUPT. Reads every reference record and every pointer: the reference
  // counts are derived from the pointers (BlobReferences).
  static Result<std::unique_ptr<Storage>> open(std::shared_ptr<KvStore> kv);
  // Opens (creating if needed) a RocksDB store in `directory`.
  static Result<std::unique_ptr<Storage>> open_rocksdb(
      const std::string& directory, const RocksDbOptions& options = {});

  // Validates and applies `batch` atomically (see WriteBatch). With
  // Sync::kYes the batch and every earlier one are durable on return.
  // A refused batch returns its error and changes nothing. Commits run one
  // at a time, except an empty batch with Sync::kYes (a sync of what came
  // before), which runs alongside them.
  Status commit(const WriteBatch& batch, Sync sync);

  // Convenience for a batch of one blob.
  Result<BlobId> put_blob(std::string bytes, uint64_t now_ms, Sync sync);

  // A consistent snapshot of the replicated state at the applied index: the
  // applied state, pointers, blob list and node records are read at one
  // point in time, so no commit falls between them.
  Result<StateSnapshot> create_snapshot() const;
  // Sizes and counts for metrics; safe from any thread, no I/O.
  StorageStats stats() const;

  // The blobs `snapshot` references that this store does not hold.
  Result<std::vector<BlobId>> missing_blobs(const StateSnapshot& snapshot) const;

  // BlobStore
  Result<std::string> get_blob(const BlobId& id) const override;
  Result<bool> has_blob(const BlobId& id) const override;
  Result<uint64_t> blob_reference_count(const BlobId& id) const override;
  Result<std::vector<BlobId>> unreferenced_blobs(uint64_t unreferenced_before_ms,
                                                 size_t limit) const override;

  // PointerTable
  Result<std::optional<PointerRecord>> get_pointer(
      std::string_view key) const override;
  Result<PointerPage> range_pointers(std::string_view start,
                                     std::string_view end,
                                     size_t limit) const override;
  AppliedState applied_state() const override;

  // NodeRecordTable
  Result<std::optional<std::string>> get_node_record(
      std::string_view name) const override;
  Result<std::vector<KvPair>> node_records(std::string_view prefix,
                                           size_t limit) const override;

  // RaftLog
  LogIndex first_index() const override;
  LogIndex last_index() const override;
  LogPosition compacted_through() const override;
  Result<Term> term_at(LogIndex index) const override;
  Result<std::vector<LogEntry>> entries(LogIndex lo, LogIndex hi,
                                        uint64_t bytes_max) const override;
  HardState hard_state() const override;

 private:
  Storage(std::shared_ptr<KvStore> kv, const StorageState& state,
          BlobReferences references)
      : kv_(std::move(kv)), state_(state), references_(std::move(references)) {}

  StorageState state() const;

  std::shared_ptr<KvStore> kv_;
  // Held for a whole commit, so batches resolve against settled state.
  std::mutex commit_mutex_;
  // Guards state_, which readers copy and commits replace, and
  // references_, which commits change once their write is in (a commit
  // reads it without this lock: only commits change it, one at a time).
  mutable std::mutex state_mutex_;
  StorageState state_;
  BlobReferences references_;
};

}  // namespace quokka
