#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "storage/blob_references.h"
#include "storage/kv_store.h"
#include "storage/record_codec.h"
#include "storage/storage_state.h"
#include "storage/write_batch.h"

namespace quokka {

// What a validated WriteBatch turns into: the raw writes to apply in one
// atomic KvStore::write, the state the store will be in afterwards, and the
// changes to the in-memory reference counts once the write is in.
struct ResolvedBatch {
  std::vector<KvWrite> writes;
  StorageState state;
  std::vector<BlobReferences::Change> references;
};

// Validates a WriteBatch against the store as it is (read through `reader`
// `state` and `references`) and translates it into raw writes. Reads
// nothing it does not need: of the store, only the pointers the batch
// replaces. Nothing is written here; a refused batch leaves no trace.
class BatchResolver {
 public:
  BatchResolver(const KvReader& reader, const StorageState& state,
                const BlobReferences& references);

  Result<ResolvedBatch> resolve(const WriteBatch& batch);

 private:
  Status apply(const WriteBatch::PutBlob& change);
  Status apply(const WriteBatch::DeleteBlobIfUnreferenced& change);
  Status apply(const WriteBatch::PutPointer& change);
  Status apply(const WriteBatch::DeletePointer& change);
  Status apply(const WriteBatch::SetAppliedState& change);
  Status apply(const WriteBatch::AppendLogEntries& change);
  Status apply(const WriteBatch::CompactLogThrough& change);
  Status apply(const WriteBatch::SetHardState& change);
  Status apply(const WriteBatch::PutNodeRecord& change);
  Status apply(const WriteBatch::DeleteNodeRecord& change);
  Status apply(const WriteBatch::RestoreSnapshot& change);

  // The blob's reference record as of the changes so far; nullopt when the
  // blob is not stored.
  std::optional<record_codec::BlobRefRecord> blob_ref(const BlobId& id) const;
  // Records the new reference record (nullopt: deleted), and writes to disk
  // what a reopen needs to rebuild it: that the blob is stored, and since
  // when it is unreferenced; a count that changes above zero writes nothing.
  void set_blob_ref(const BlobId& id,
                    const std::optional<record_codec::BlobRefRecord>& before,
                    const std::optional<record_codec::BlobRefRecord>& after);
  // One reference more to a stored blob (NOT_FOUND if it is not), or one
  // fewer, on behalf of the pointer of `key`.
  Status reference(const BlobId& id, std::string_view key);
  Status unreference(const BlobId& id, std::string_view key, uint64_t now_ms);
  // The pointer of `key` as of the changes so far.
  Result<std::optional<PointerRecord>> pointer(const std::string& key);
  Result<Term> term_at(LogIndex index);
  // The term at `index`, nullopt outside the log (index 0 included).
  std::optional<Term> term_at_or_none(LogIndex index);

  void put(KeySpace space, std::string key, std::string value);
  void erase(KeySpace space, std::string key);
  void erase_range(KeySpace space, std::string start, std::string end);

  const KvReader& reader_;
  StorageState state_;
  const BlobReferences& references_;
  std::vector<KvWrite> writes_;
  std::unordered_map<BlobId, std::optional<record_codec::BlobRefRecord>> blob_refs_;
  // Pointers this batch wrote (nullopt: deleted); after a snapshot restore,
  // every pointer there is, and `pointers_replaced_` is set.
  std::map<std::string, std::optional<PointerRecord>> pointers_;
  bool pointers_replaced_ = false;
  // The greatest pointer key this batch wrote, so a snapshot restore later in
  // the batch can delete up to it.
  std::optional<std::string> greatest_pointer_key_written_;
};

}  // namespace quokka
