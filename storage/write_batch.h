#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/blob_id.h"
#include "storage/log_entry.h"
#include "storage/node_record_table.h"
#include "storage/pointer_record.h"
#include "storage/state_snapshot.h"

namespace quokka {

// Changes to a node's storage that Storage::commit applies atomically and in
// order: after a crash either every change of a batch is there or none is.
// A batch is validated whole before anything is written; if any change is
// refused, the commit fails and nothing of the batch takes effect.
//
// This is how the node keeps its invariant that a log entry is persisted
// only together with (or after) every blob it references: put the blob and
// the entry in one batch.
class WriteBatch {
 public:
  // Stores `bytes` under their SHA-256 and returns it. Idempotent: storing a
  // blob that exists changes nothing but its grace period, which restarts at
  // `now_ms` if the blob is unreferenced (someone is about to reference it).
  // A new blob starts unreferenced since `now_ms`, so a blob whose entry
  // never commits is collected after its grace period.
  BlobId put_blob(std::string bytes, uint64_t now_ms);
  // The same for bytes the caller already knows to hash to `id` (hashed on
  // arrival, or read back verified), so a large value is not hashed again.
  void put_hashed_blob(const BlobId& id, std::string bytes, uint64_t now_ms);

  // Deletes the blob if its count is 0 and has been since before
  // `unreferenced_before_ms`; otherwise does nothing (it was referenced or
  // stored again after the caller listed it).
  void delete_blob_if_unreferenced(const BlobId& id,
                                   uint64_t unreferenced_before_ms);

  // Points `key` at `record`. A blob's reference count is the number of
  // pointers naming it: the blob `record` names gains one, the blob the
  // key named before (if any) loses one, and at zero becomes unreferenced
  // since `now_ms`. Refused (NOT_FOUND) when `record`'s blob is not
  // stored, earlier in the batch or before it.
  void put_pointer(std::string key, const PointerRecord& record, uint64_t now_ms);
  // Deletes the pointer of `key`, if there is one; its blob loses a
  // reference as above.
  void delete_pointer(std::string key, uint64_t now_ms);
  void set_applied_state(const AppliedState& state);

  // Appends contiguous, ascending entries. An entry at an index that is
  // already in the log replaces it and every entry after it (Raft §5.3).
  // Refused (INVALID_ARGUMENT) when the first index is past last_index() + 1
  // or before first_index(), or the entries are not contiguous.
  void append_log_entries(std::vector<LogEntry> entries);

  // Drops entries up to and including `through` from the log. Refused when
  // `through` is past last_index(); a no-op at or before compacted_through().
  void compact_log_through(LogIndex through);

  void set_hard_state(const HardState& state);

  // Sets the node record `name` to `value`, creating it or replacing its
  // value (node_record_table.h). Put it in the batch of the applied entry
  // that changed it, beside that entry's pointer changes and AppliedState,
  // so a crash keeps both or neither. Refused (INVALID_ARGUMENT, naming the
  // limit and the size) when the name is empty or longer than
  // kNodeRecordNameBytesMax.
  void put_node_record(std::string name, std::string value);

  // Deletes the node record `name`; a no-op when there is none. Refused on a
  // bad name, as put_node_record.
  void delete_node_record(std::string name);

  // Replaces the pointer table with the snapshot's, recounts references from
  // its pointers (blobs no longer referenced become unreferenced since
  // `now_ms`), replaces every node record with the snapshot's (records it
  // does not hold are deleted, including any put earlier in this batch),
  // sets the applied state, and empties the log with compacted_through() =
  // the snapshot's position. Refused (NOT_FOUND) when a blob the snapshot
  // references is not stored; (INVALID_ARGUMENT) when its blob list is not
  // the set of blobs its pointers reference, or a node record name is bad or
  // out of order.
  void restore_snapshot(StateSnapshot snapshot, uint64_t now_ms);

  bool empty() const { return changes_.empty(); }
  size_t size() const { return changes_.size(); }

  struct PutBlob { BlobId id; std::string bytes; uint64_t now_ms; };
  struct DeleteBlobIfUnreferenced { BlobId id; uint64_t unreferenced_before_ms; };
  struct PutPointer { std::string key; PointerRecord record; uint64_t now_ms; };
  struct DeletePointer { std::string key; uint64_t now_ms; };
  struct SetAppliedState { AppliedState state; };
  struct AppendLogEntries { std::vector<LogEntry> entries; };
  struct CompactLogThrough { LogIndex through; };
  struct SetHardState { HardState state; };
  struct PutNodeRecord { std::string name; std::string value; };
  struct DeleteNodeRecord { std::string name; };
  struct RestoreSnapshot { StateSnapshot snapshot; uint64_t now_ms; };
  using Change = std::variant<PutBlob, DeleteBlobIfUnreferenced, PutPointer,
                              DeletePointer, SetAppliedState, AppendLogEntries,
                              CompactLogThrough, SetHardState, PutNodeRecord,
                              DeleteNodeRecord, RestoreSnapshot>;

  const std::vector<Change>& changes() const { return changes_; }

 private:
  std::vector<Change> changes_;
};

}  // namespace quokka
