#include "storage/write_batch.h"

namespace quokka {

BlobId WriteBatch::put_blob(std::string bytes, uint64_t now_ms) {
  BlobId id = BlobId::of(bytes);
  put_hashed_blob(id, std::move(bytes), now_ms);
  return id;
}

void WriteBatch::put_hashed_blob(const BlobId& id, std::string bytes, uint64_t now_ms) {
  changes_.emplace_back(PutBlob{id, std::move(bytes), now_ms});
}

void WriteBatch::delete_blob_if_unreferenced(const BlobId& id,
                                             uint64_t unreferenced_before_ms) {
  changes_.emplace_back(DeleteBlobIfUnreferenced{id, unreferenced_before_ms});
}

void WriteBatch::put_pointer(std::string key, const PointerRecord& record, uint64_t now_ms) {
  changes_.emplace_back(PutPointer{std::move(key), record, now_ms});
}

void WriteBatch::delete_pointer(std::string key, uint64_t now_ms) {
  changes_.emplace_back(DeletePointer{std::move(key), now_ms});
}

void WriteBatch::set_applied_state(const AppliedState& state) {
  changes_.emplace_back(SetAppliedState{state});
}

void WriteBatch::append_log_entries(std::vector<LogEntry> entries) {
  if (entries.empty()) return;
  changes_.emplace_back(AppendLogEntries{std::move(entries)});
}

void WriteBatch::compact_log_through(LogIndex through) {
  changes_.emplace_back(CompactLogThrough{through});
}

void WriteBatch::set_hard_state(const HardState& state) {
  changes_.emplace_back(SetHardState{state});
}

void WriteBatch::put_node_record(std::string name, std::string value) {
  changes_.emplace_back(PutNodeRecord{std::move(name), std::move(value)});
}

void WriteBatch::delete_node_record(std::string name) {
  changes_.emplace_back(DeleteNodeRecord{std::move(name)});
}

void WriteBatch::restore_snapshot(StateSnapshot snapshot, uint64_t now_ms) {
  changes_.emplace_back(RestoreSnapshot{std::move(snapshot), now_ms});
}

}  // namespace quokka
