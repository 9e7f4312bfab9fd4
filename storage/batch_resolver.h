#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/kv_store.h"
#include "storage/record_codec.h"
#include "storage/storage_state.h"
#include "storage/unreferenced_index.h"
#include "storage/write_batch.h"

namespace quokka {

// What a validated WriteBatch turns into: the raw writes to apply in one
// atomic KvStore::write, the state the store will be in afterwards, and the
// changes to the in-memory unreferenced-blob index once the write is in.
struct ResolvedBatch {
  std::vector<KvWrite> writes;
  StorageState state;
  std::vector<UnreferencedIndex::Change> unreferenced;
};

// Validates a WriteBatch against the store as it is (read through `reader`
// and `state`) and translates it into raw writes. Reads nothing it does not
// need: reference counts are read only for the blobs the batch touches.
// Nothing is written here; a refused batch leaves no trace.
class BatchResolver {
 public:
  BatchResolver(const KvReader& reader, const StorageState& state);

  Result<ResolvedBatch> resolve(const WriteBatch& batch);

 private:
  Status apply(const WriteBatch::PutBlob& change);
  Status apply(const WriteBatch::AddBlobReference& change);
  Status apply(const WriteBatch::RemoveBlobReference& change);
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
  Result<std::optional<record_codec::BlobRefRecord>> blob_ref(const BlobId& id);
  // Records the new reference record (nullopt: deleted) and the index
  // changes that keep the unreferenced index in step with it.
  void set_blob_ref(const BlobId& id,
                    const std::optional<record_codec::BlobRefRecord>& before,
                    const std::optional<record_codec::BlobRefRecord>& after);
  Result<Term> term_at(LogIndex index);
  // The term at `index`, nullopt outside the log (index 0 included).
  std::optional<Term> term_at_or_none(LogIndex index);

  void put(KeySpace space, std::string key, std::string value);
  void erase(KeySpace space, std::string key);
  void erase_range(KeySpace space, std::string start, std::string end);

  const KvReader& reader_;
  StorageState state_;
  std::vector<KvWrite> writes_;
  std::vector<UnreferencedIndex::Change> unreferenced_;
  std::map<BlobId, std::optional<record_codec::BlobRefRecord>> blob_refs_;
  // The greatest pointer key this batch wrote, so a snapshot restore later in
  // the batch can delete up to it.
  std::optional<std::string> greatest_pointer_key_written_;
};

}  // namespace quokka
