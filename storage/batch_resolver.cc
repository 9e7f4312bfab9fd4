#include "storage/batch_resolver.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/assert.h"
#include "storage/pointer_table.h"

namespace quokka {

namespace rc = record_codec;

namespace {

constexpr size_t kScanPageEntries = 4096;

Status corrupt_record(std::string_view what, std::string_view key_hex) {
  return Status(ErrorCode::kCorrupt,
                fmt::format("{} record {} cannot be decoded", what, key_hex));
}

std::string hex_of(std::string_view bytes) {
  std::string text;
  for (unsigned char c : bytes) text += fmt::format("{:02x}", c);
  return text;
}

}  // namespace

BatchResolver::BatchResolver(const KvReader& reader, const StorageState& state)
    : reader_(reader), state_(state) {}

Result<ResolvedBatch> BatchResolver::resolve(const WriteBatch& batch) {
  for (const WriteBatch::Change& change : batch.changes()) {
    Status status =
        std::visit([this](const auto& c) { return apply(c); }, change);
    if (!status.is_ok()) return status;
  }
  return ResolvedBatch{std::move(writes_), state_, std::move(unreferenced_)};
}

void BatchResolver::put(KeySpace space, std::string key, std::string value) {
  writes_.push_back(
      KvWrite{KvWrite::Kind::kPut, space, std::move(key), std::move(value)});
}

void BatchResolver::erase(KeySpace space, std::string key) {
  writes_.push_back(KvWrite{KvWrite::Kind::kDelete, space, std::move(key), {}});
}

void BatchResolver::erase_range(KeySpace space, std::string start,
                                std::string end) {
  if (start >= end) return;
  writes_.push_back(KvWrite{KvWrite::Kind::kDeleteRange, space,
                            std::move(start), std::move(end)});
}

Result<std::optional<rc::BlobRefRecord>> BatchResolver::blob_ref(
    const BlobId& id) {
  auto cached = blob_refs_.find(id);
  if (cached != blob_refs_.end()) return cached->second;
  auto stored = reader_.get(KeySpace::kBlobRefs, id.bytes());
  if (!stored) return stored.status();
  std::optional<rc::BlobRefRecord> record;
  if (stored->has_value()) {
    record = rc::decode_blob_ref(**stored);
    if (!record) return corrupt_record("blob reference", id.hex());
  }
  blob_refs_.emplace(id, record);
  return record;
}

void BatchResolver::set_blob_ref(const BlobId& id,
                                 const std::optional<rc::BlobRefRecord>& before,
                                 const std::optional<rc::BlobRefRecord>& after) {
  blob_refs_[id] = after;
  using Change = UnreferencedIndex::Change;
  if (before && before->count == 0) {
    unreferenced_.push_back(Change{Change::Kind::kRemove, before->unreferenced_since_ms, id});
  }
  if (!after) {
    erase(KeySpace::kBlobRefs, std::string(id.bytes()));
    return;
  }
  put(KeySpace::kBlobRefs, std::string(id.bytes()), rc::encode_blob_ref(*after));
  if (after->count == 0) {
    unreferenced_.push_back(Change{Change::Kind::kAdd, after->unreferenced_since_ms, id});
  }
}

Status BatchResolver::apply(const WriteBatch::PutBlob& change) {
  auto before = blob_ref(change.id);
  if (!before) return before.status();
  if (!before->has_value()) {
    put(KeySpace::kBlobs, std::string(change.id.bytes()), change.bytes);
    set_blob_ref(change.id, std::nullopt, rc::BlobRefRecord{0, change.now_ms});
  } else if ((*before)->count == 0) {
    // Restart the grace period: a writer is about to reference the blob. Never
    // move it backwards, should the caller's clock have restarted lower.
    uint64_t since = std::max((*before)->unreferenced_since_ms, change.now_ms);
    set_blob_ref(change.id, *before, rc::BlobRefRecord{0, since});
  }
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::AddBlobReference& change) {
  auto before = blob_ref(change.id);
  if (!before) return before.status();
  if (!before->has_value()) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("cannot reference blob {}: it is not stored",
                              change.id.hex()));
  }
  set_blob_ref(change.id, *before, rc::BlobRefRecord{(*before)->count + 1, 0});
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::RemoveBlobReference& change) {
  auto before = blob_ref(change.id);
  if (!before) return before.status();
  if (!before->has_value()) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("cannot unreference blob {}: it is not stored",
                              change.id.hex()));
  }
  uint64_t count = (*before)->count;
  if (count == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("cannot unreference blob {}: its reference "
                              "count is already 0",
                              change.id.hex()));
  }
  uint64_t since = count == 1 ? change.now_ms : 0;
  set_blob_ref(change.id, *before, rc::BlobRefRecord{count - 1, since});
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::DeleteBlobIfUnreferenced& change) {
  auto before = blob_ref(change.id);
  if (!before) return before.status();
  if (!before->has_value()) return Status::ok();
  const rc::BlobRefRecord& record = **before;
  if (record.count != 0 ||
      record.unreferenced_since_ms >= change.unreferenced_before_ms) {
    return Status::ok();
  }
  erase(KeySpace::kBlobs, std::string(change.id.bytes()));
  set_blob_ref(change.id, *before, std::nullopt);
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::PutPointer& change) {
  if (!greatest_pointer_key_written_ ||
      *greatest_pointer_key_written_ < change.key) {
    greatest_pointer_key_written_ = change.key;
  }
  put(KeySpace::kPointers, change.key, rc::encode_pointer(change.record));
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::DeletePointer& change) {
  erase(KeySpace::kPointers, change.key);
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::SetAppliedState& change) {
  state_.applied = change.state;
  put(KeySpace::kMeta, std::string(meta_key::kAppliedState),
      rc::encode_applied_state(change.state));
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::SetHardState& change) {
  state_.hard_state = change.state;
  put(KeySpace::kMeta, std::string(meta_key::kHardState),
      rc::encode_hard_state(change.state));
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::PutNodeRecord& change) {
  Status name = check_node_record_name(change.name);
  if (!name.is_ok()) return name;
  put(KeySpace::kMeta, rc::node_record_key(change.name), change.value);
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::DeleteNodeRecord& change) {
  Status name = check_node_record_name(change.name);
  if (!name.is_ok()) return name;
  erase(KeySpace::kMeta, rc::node_record_key(change.name));
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::AppendLogEntries& change) {
  const std::vector<LogEntry>& entries = change.entries;
  QUOKKA_ASSERT(!entries.empty(), "WriteBatch never records an empty append");
  LogIndex first = entries.front().index;
  if (first < state_.first_index()) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("cannot append at index {}: the log starts at "
                              "{} (earlier entries are compacted)",
                              first.value(), state_.first_index().value()));
  }
  if (first.value() > state_.last_index.value() + 1) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("cannot append at index {}: the log ends at {}, "
                              "so the append would leave a gap",
                              first.value(), state_.last_index.value()));
  }
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].index.value() != entries[i - 1].index.value() + 1) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("appended entries are not contiguous: index "
                                "{} follows {}",
                                entries[i].index.value(),
                                entries[i - 1].index.value()));
    }
    if (entries[i].term < entries[i - 1].term) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("appended entries go back in term: entry {} "
                                "has term {} after term {}",
                                entries[i].index.value(),
                                entries[i].term.value(),
                                entries[i - 1].term.value()));
    }
  }
  if (first <= state_.last_index) {
    // Raft §5.3: a conflicting entry and every entry after it are replaced.
    erase_range(KeySpace::kLog, rc::log_key(first),
                rc::log_key(LogIndex(state_.last_index.value() + 1)));
    state_.log_terms.truncate_from(first);
  }
  if (std::optional<Term> before = term_at_or_none(LogIndex(first.value() - 1));
      before && entries.front().term < *before) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("appended entries go back in term: entry {} has term {} "
                              "after term {}",
                              first.value(), entries.front().term.value(), before->value()));
  }
  for (const LogEntry& entry : entries) {
    put(KeySpace::kLog, rc::log_key(entry.index),
        rc::encode_log_entry_value(entry));
    state_.log_terms.append(entry.index, entry.term);
  }
  state_.last_index = entries.back().index;
  return Status::ok();
}

Result<Term> BatchResolver::term_at(LogIndex index) {
  if (index == state_.compacted_through.index) {
    return state_.compacted_through.term;
  }
  if (index < state_.first_index() || index > state_.last_index) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("no entry at index {}: the log holds [{}, {}]",
                              index.value(), state_.first_index().value(),
                              state_.last_index.value()));
  }
  std::optional<Term> term = state_.log_terms.term_of(index);
  QUOKKA_ASSERT(term.has_value(), "index {} is in the log [{}, {}] but has no term",
                index.value(), state_.first_index().value(), state_.last_index.value());
  return *term;
}

std::optional<Term> BatchResolver::term_at_or_none(LogIndex index) {
  auto term = term_at(index);
  if (!term) return std::nullopt;
  return *term;
}

Status BatchResolver::apply(const WriteBatch::CompactLogThrough& change) {
  LogIndex through = change.through;
  if (through <= state_.compacted_through.index) return Status::ok();
  if (through > state_.last_index) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("cannot compact through index {}: the log ends "
                              "at {}",
                              through.value(), state_.last_index.value()));
  }
  auto term = term_at(through);
  if (!term) return term.status();
  erase_range(KeySpace::kLog, rc::log_key(state_.first_index()),
              rc::log_key(LogIndex(through.value() + 1)));
  state_.log_terms.drop_through(through);
  state_.compacted_through = LogPosition{through, *term};
  put(KeySpace::kMeta, std::string(meta_key::kLogCompactedThrough),
      rc::encode_log_position(state_.compacted_through));
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::RestoreSnapshot& change) {
  const StateSnapshot& snapshot = change.snapshot;

  // The node records come from another node: check them as a put would,
  // and hold the snapshot to its stated order.
  for (size_t i = 0; i < snapshot.node_records.size(); ++i) {
    const std::string& name = snapshot.node_records[i].key;
    Status valid = check_node_record_name(name);
    if (!valid.is_ok()) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("snapshot at index {}: {}",
                                snapshot.applied.index.value(),
                                valid.message()));
    }
    if (i > 0 && !(snapshot.node_records[i - 1].key < name)) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("snapshot at index {}: node record {} is not "
                                "after the record before it; records must be "
                                "ascending by name without duplicates",
                                snapshot.applied.index.value(), i));
    }
  }

  // References are recounted from the pointers; the snapshot's blob list
  // must name exactly the blobs they reference.
  std::map<BlobId, uint64_t> counts;
  for (const KeyPointer& pointer : snapshot.pointers) {
    ++counts[pointer.record.value_hash];
  }
  std::set<BlobId> listed(snapshot.blobs.begin(), snapshot.blobs.end());
  if (listed.size() != counts.size() ||
      !std::equal(listed.begin(), listed.end(), counts.begin(),
                  [](const BlobId& id, const auto& count) {
                    return id == count.first;
                  })) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("snapshot at index {} lists {} blobs but its "
                              "pointers reference {} distinct blobs",
                              snapshot.applied.index.value(), listed.size(),
                              counts.size()));
  }
  size_t missing = 0;
  std::optional<BlobId> first_missing;
  for (const auto& [id, count] : counts) {
    auto ref = blob_ref(id);
    if (!ref) return ref.status();
    if (!ref->has_value()) {
      ++missing;
      if (!first_missing) first_missing = id;
    }
  }
  if (missing > 0) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("cannot restore the snapshot at index {}: {} of "
                              "its {} blobs are not stored, {} among them",
                              snapshot.applied.index.value(), missing,
                              counts.size(), first_missing->hex()));
  }

  // Replace the pointer table.
  auto last_stored = reader_.last_key(KeySpace::kPointers);
  if (!last_stored) return last_stored.status();
  std::optional<std::string> greatest = *last_stored;
  if (greatest_pointer_key_written_ &&
      (!greatest || *greatest < *greatest_pointer_key_written_)) {
    greatest = greatest_pointer_key_written_;
  }
  if (greatest) {
    erase_range(KeySpace::kPointers, "", *greatest + std::string(1, '\0'));
  }
  for (const KeyPointer& pointer : snapshot.pointers) {
    WriteBatch::PutPointer put_change{pointer.key, pointer.record};
    Status status = apply(put_change);
    if (!status.is_ok()) return status;
  }

  // Replace the node records. The range covers every name, so it also
  // removes records put earlier in this batch, and no fixed meta key (see
  // meta_key::kNodeRecordPrefix).
  erase_range(KeySpace::kMeta, std::string(meta_key::kNodeRecordPrefix),
              prefix_end(meta_key::kNodeRecordPrefix));
  for (const KvPair& record : snapshot.node_records) {
    put(KeySpace::kMeta, rc::node_record_key(record.key), record.value);
  }

  // Recount every stored blob: those stored before this batch, and those
  // this batch stored.
  std::set<BlobId> stored_ids;
  std::string start;
  while (true) {
    auto page = reader_.scan(KeySpace::kBlobRefs, start, "", kScanPageEntries);
    if (!page) return page.status();
    for (const KvPair& pair : *page) {
      auto id = BlobId::from_bytes(pair.key);
      if (!id) return corrupt_record("blob reference key", hex_of(pair.key));
      stored_ids.insert(*id);
    }
    if (page->size() < kScanPageEntries) break;
    start = page->back().key + std::string(1, '\0');
  }
  for (const auto& [id, record] : blob_refs_) stored_ids.insert(id);
  for (const BlobId& id : stored_ids) {
    auto before = blob_ref(id);
    if (!before) return before.status();
    if (!before->has_value()) continue;  // deleted earlier in this batch
    auto count = counts.find(id);
    rc::BlobRefRecord after;
    if (count != counts.end()) {
      after = rc::BlobRefRecord{count->second, 0};
    } else if ((*before)->count == 0) {
      after = **before;  // already unreferenced: keep its grace period
    } else {
      after = rc::BlobRefRecord{0, change.now_ms};
    }
    if (after != **before) set_blob_ref(id, *before, after);
  }

  // The log restarts after the snapshot's position.
  erase_range(KeySpace::kLog, rc::log_key(LogIndex(0)),
              rc::log_key(LogIndex(UINT64_MAX)));
  state_.log_terms.clear();
  state_.compacted_through =
      LogPosition{snapshot.applied.index, snapshot.applied.term};
  state_.last_index = snapshot.applied.index;
  put(KeySpace::kMeta, std::string(meta_key::kLogCompactedThrough),
      rc::encode_log_position(state_.compacted_through));
  return apply(WriteBatch::SetAppliedState{snapshot.applied});
}

}  // namespace quokka
