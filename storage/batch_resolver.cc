#include "storage/batch_resolver.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/assert.h"
#include "storage/pointer_table.h"

namespace quokka {

namespace rc = record_codec;

namespace {

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

BatchResolver::BatchResolver(const KvReader& reader, const StorageState& state,
                             const BlobReferences& references)
    : reader_(reader), state_(state), references_(references) {}

Result<ResolvedBatch> BatchResolver::resolve(const WriteBatch& batch) {
  for (const WriteBatch::Change& change : batch.changes()) {
    Status status =
        std::visit([this](const auto& c) { return apply(c); }, change);
    if (!status.is_ok()) return status;
  }
  std::vector<BlobReferences::Change> references;
  references.reserve(blob_refs_.size());
  for (const auto& [id, after] : blob_refs_) {
    references.push_back(BlobReferences::Change{id, after});
  }
  return ResolvedBatch{std::move(writes_), state_, std::move(references)};
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

std::optional<rc::BlobRefRecord> BatchResolver::blob_ref(const BlobId& id) const {
  auto changed = blob_refs_.find(id);
  if (changed != blob_refs_.end()) return changed->second;
  const rc::BlobRefRecord* stored = references_.find(id);
  if (stored == nullptr) return std::nullopt;
  return *stored;
}

void BatchResolver::set_blob_ref(const BlobId& id,
                                 const std::optional<rc::BlobRefRecord>& before,
                                 const std::optional<rc::BlobRefRecord>& after) {
  blob_refs_[id] = after;
  if (!after) {
    erase(KeySpace::kBlobRefs, std::string(id.bytes()));
    return;
  }
  // On disk a record is only ever written at count 0: the count itself is
  // the pointers' to tell when the store opens.
  const bool unreferenced_since_changed =
      after->count == 0 && (!before || before->count != 0 ||
                            before->unreferenced_since_ms != after->unreferenced_since_ms);
  if (unreferenced_since_changed) {
    put(KeySpace::kBlobRefs, std::string(id.bytes()), rc::encode_blob_ref(*after));
  }
}

Status BatchResolver::reference(const BlobId& id, std::string_view key) {
  std::optional<rc::BlobRefRecord> before = blob_ref(id);
  if (!before) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("cannot point key {} at blob {}: the blob is not stored",
                              hex_of(key), id.hex()));
  }
  set_blob_ref(id, before, rc::BlobRefRecord{before->count + 1, 0});
  return Status::ok();
}

Status BatchResolver::unreference(const BlobId& id, std::string_view key, uint64_t now_ms) {
  std::optional<rc::BlobRefRecord> before = blob_ref(id);
  // A stored pointer always names a stored blob with a count of at least
  // one: the open derives the counts from the pointers, and every change
  // since keeps them in step.
  if (!before || before->count == 0) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("the pointer of key {} names blob {}, which {}", hex_of(key),
                              id.hex(), before ? "has no references" : "is not stored"));
  }
  const uint64_t count = before->count - 1;
  set_blob_ref(id, before, rc::BlobRefRecord{count, count == 0 ? now_ms : 0});
  return Status::ok();
}

Result<std::optional<PointerRecord>> BatchResolver::pointer(const std::string& key) {
  auto written = pointers_.find(key);
  if (written != pointers_.end()) return written->second;
  if (pointers_replaced_) return std::optional<PointerRecord>();
  auto stored = reader_.get(KeySpace::kPointers, key);
  if (!stored) return stored.status();
  if (!stored->has_value()) return std::optional<PointerRecord>();
  std::optional<PointerRecord> record = rc::decode_pointer(**stored);
  if (!record) return corrupt_record("pointer", hex_of(key));
  return record;
}

Status BatchResolver::apply(const WriteBatch::PutBlob& change) {
  std::optional<rc::BlobRefRecord> before = blob_ref(change.id);
  if (!before) {
    put(KeySpace::kBlobs, std::string(change.id.bytes()), change.bytes);
    set_blob_ref(change.id, std::nullopt, rc::BlobRefRecord{0, change.now_ms});
  } else if (before->count == 0) {
    // Restart the grace period: a writer is about to reference the blob. Never
    // move it backwards, should the caller's clock have restarted lower.
    uint64_t since = std::max(before->unreferenced_since_ms, change.now_ms);
    set_blob_ref(change.id, before, rc::BlobRefRecord{0, since});
  }
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::DeleteBlobIfUnreferenced& change) {
  std::optional<rc::BlobRefRecord> before = blob_ref(change.id);
  if (!before) return Status::ok();
  if (before->count != 0 || before->unreferenced_since_ms >= change.unreferenced_before_ms) {
    return Status::ok();
  }
  erase(KeySpace::kBlobs, std::string(change.id.bytes()));
  set_blob_ref(change.id, before, std::nullopt);
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::PutPointer& change) {
  auto previous = pointer(change.key);
  if (!previous) return previous.status();
  // Reference first: a pointer set again to its own blob never takes the
  // count through zero.
  Status referenced = reference(change.record.value_hash, change.key);
  if (!referenced.is_ok()) return referenced;
  if (*previous) {
    Status unreferenced = unreference((*previous)->value_hash, change.key, change.now_ms);
    if (!unreferenced.is_ok()) return unreferenced;
  }
  if (!greatest_pointer_key_written_ ||
      *greatest_pointer_key_written_ < change.key) {
    greatest_pointer_key_written_ = change.key;
  }
  pointers_[change.key] = change.record;
  put(KeySpace::kPointers, change.key, rc::encode_pointer(change.record));
  return Status::ok();
}

Status BatchResolver::apply(const WriteBatch::DeletePointer& change) {
  auto previous = pointer(change.key);
  if (!previous) return previous.status();
  if (!*previous) return Status::ok();
  Status unreferenced = unreference((*previous)->value_hash, change.key, change.now_ms);
  if (!unreferenced.is_ok()) return unreferenced;
  pointers_[change.key] = std::nullopt;
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
    if (!blob_ref(id)) {
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
  // The counts are recounted below, so the pointers go in as they are.
  pointers_.clear();
  pointers_replaced_ = true;
  for (const KeyPointer& pointer : snapshot.pointers) {
    if (!greatest_pointer_key_written_ || *greatest_pointer_key_written_ < pointer.key) {
      greatest_pointer_key_written_ = pointer.key;
    }
    pointers_[pointer.key] = pointer.record;
    put(KeySpace::kPointers, pointer.key, rc::encode_pointer(pointer.record));
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
  references_.for_each([&stored_ids](const BlobId& id, const rc::BlobRefRecord&) {
    stored_ids.insert(id);
  });
  for (const auto& [id, record] : blob_refs_) stored_ids.insert(id);
  for (const BlobId& id : stored_ids) {
    std::optional<rc::BlobRefRecord> before = blob_ref(id);
    if (!before) continue;  // deleted earlier in this batch
    auto count = counts.find(id);
    rc::BlobRefRecord after;
    if (count != counts.end()) {
      after = rc::BlobRefRecord{count->second, 0};
    } else if (before->count == 0) {
      after = *before;  // already unreferenced: keep its grace period
    } else {
      after = rc::BlobRefRecord{0, change.now_ms};
    }
    if (after != *before) set_blob_ref(id, before, after);
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
