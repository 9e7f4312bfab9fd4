#include "storage/storage.h"

#include <fmt/format.h>

#include <set>

#include "common/assert.h"
#include "storage/batch_resolver.h"
#include "storage/log_walk.h"
#include "storage/record_codec.h"

namespace quokka {

namespace rc = record_codec;

namespace {

constexpr size_t kSnapshotPageEntries = 4096;
constexpr size_t kLogLoadPageEntries = 4096;
constexpr size_t kLoadPageEntries = 4096;

Status corrupt_meta(std::string_view name) {
  return Status(ErrorCode::kCorrupt,
                fmt::format("meta record {} cannot be decoded", name));
}

// Reads and decodes one meta record; nullopt when it is absent.
template <typename T, typename Decode>
Result<std::optional<T>> read_meta(const KvReader& reader,
                                   std::string_view name, Decode decode) {
  auto stored = reader.get(KeySpace::kMeta, name);
  if (!stored) return stored.status();
  if (!stored->has_value()) return std::optional<T>();
  std::optional<T> decoded = decode(**stored);
  if (!decoded) return corrupt_meta(name);
  return decoded;
}

// The format version a store was written in; an empty store is stamped
// with the current one first.
Result<uint32_t> check_format_version(KvStore& kv) {
  auto version = read_meta<uint32_t>(kv, meta_key::kFormatVersion,
                                     rc::decode_format_version);
  if (!version) return version.status();
  if (version->has_value()) {
    uint32_t found = **version;
    if (found < kStorageFormatVersionMin || found > kStorageFormatVersion) {
      return Status(
          ErrorCode::kUnsupportedVersion,
          fmt::format("the data was written in on-disk format version {}; "
                      "this binary reads format versions {} to {}",
                      found, kStorageFormatVersionMin, kStorageFormatVersion));
    }
    return found;
  }
  // No version: only a brand-new, empty store may be stamped.
  for (int space = 0; space < kKeySpaceCount; ++space) {
    auto last = kv.last_key(static_cast<KeySpace>(space));
    if (!last) return last.status();
    if (last->has_value()) {
      return Status(ErrorCode::kCorrupt,
                    "the store holds data but no format version; it was not "
                    "written by quokka, or its meta records are lost");
    }
  }
  std::vector<KvWrite> stamp = {
      KvWrite{KvWrite::Kind::kPut, KeySpace::kMeta,
              std::string(meta_key::kFormatVersion),
              rc::encode_format_version(kStorageFormatVersion)}};
  Status stamped = kv.write(stamp, Sync::kYes);
  if (!stamped.is_ok()) return stamped;
  return kStorageFormatVersion;
}

// Format 1 or 2 to 3: format 1's on-disk unreferenced index goes (the
// counts and the index are rebuilt in memory at every open), and the store
// is stamped 3. Format 2's reference records need no rewrite: their
// unreferenced-since times are what format 3 keeps, and their counts are
// not read. All in one synced write, so a crash leaves either format whole.
Status upgrade_to_current_format(KvStore& kv, uint32_t found) {
  std::vector<KvWrite> upgrade;
  if (found == 1) {
    auto last = kv.last_key(KeySpace::kUnreferenced);
    if (!last) return last.status();
    if (last->has_value()) {
      upgrade.push_back(KvWrite{KvWrite::Kind::kDeleteRange, KeySpace::kUnreferenced, "",
                                **last + std::string(1, '\0')});
    }
  }
  upgrade.push_back(KvWrite{KvWrite::Kind::kPut, KeySpace::kMeta,
                            std::string(meta_key::kFormatVersion),
                            rc::encode_format_version(kStorageFormatVersion)});
  return kv.write(upgrade, Sync::kYes);
}

// The stored blobs, from their reference records, with the counts of the
// pointers that name them.
Result<BlobReferences> load_references(const KvReader& reader) {
  BlobReferences::Records records;
  std::string start;
  while (true) {
    auto page = reader.scan(KeySpace::kBlobRefs, start, "", kLoadPageEntries);
    if (!page) return page.status();
    for (const KvPair& pair : *page) {
      auto id = BlobId::from_bytes(pair.key);
      auto record = rc::decode_blob_ref(pair.value);
      if (!id || !record) {
        return Status(ErrorCode::kCorrupt,
                      fmt::format("a blob reference record ({}-byte key) cannot be decoded",
                                  pair.key.size()));
      }
      records.emplace(*id, rc::BlobRefRecord{0, record->unreferenced_since_ms});
    }
    if (page->size() < kLoadPageEntries) break;
    start = page->back().key + std::string(1, '\0');
  }
  start.clear();
  while (true) {
    auto page = reader.scan(KeySpace::kPointers, start, "", kLoadPageEntries);
    if (!page) return page.status();
    for (const KvPair& pair : *page) {
      auto pointer = rc::decode_pointer(pair.value);
      if (!pointer) {
        return Status(ErrorCode::kCorrupt,
                      fmt::format("the pointer record of a {}-byte key cannot be decoded",
                                  pair.key.size()));
      }
      auto named = records.find(pointer->value_hash);
      if (named == records.end()) {
        return Status(ErrorCode::kCorrupt,
                      fmt::format("a pointer ({}-byte key) names blob {}, which is not stored",
                                  pair.key.size(), pointer->value_hash.hex()));
      }
      ++named->second.count;
    }
    if (page->size() < kLoadPageEntries) break;
    start = page->back().key + std::string(1, '\0');
  }
  for (auto& [id, record] : records) {
    if (record.count > 0) record.unreferenced_since_ms = 0;
  }
  return BlobReferences(std::move(records));
}

Result<StorageState> load_state(const KvReader& reader) {
  StorageState state;
  auto hard = read_meta<HardState>(reader, meta_key::kHardState,
                                   rc::decode_hard_state);
  if (!hard) return hard.status();
  if (hard->has_value()) state.hard_state = **hard;

  auto applied = read_meta<AppliedState>(reader, meta_key::kAppliedState,
                                         rc::decode_applied_state);
  if (!applied) return applied.status();
  if (applied->has_value()) state.applied = **applied;

  auto compacted = read_meta<LogPosition>(
      reader, meta_key::kLogCompactedThrough, rc::decode_log_position);
  if (!compacted) return compacted.status();
  if (compacted->has_value()) state.compacted_through = **compacted;

  auto last_key = reader.last_key(KeySpace::kLog);
  if (!last_key) return last_key.status();
  state.last_index = state.compacted_through.index;
  if (last_key->has_value()) {
    auto last = rc::decode_log_key(**last_key);
    if (!last) return Status(ErrorCode::kCorrupt, "a log key cannot be decoded");
    if (*last < state.first_index()) {
      return Status(ErrorCode::kCorrupt,
                    fmt::format("log entry {} lies before the compaction "
                                "point {}",
                                last->value(),
                                state.compacted_through.index.value()));
    }
    state.last_index = *last;
  }

  // The terms of the entries, from the entries themselves: one pass over
  // the log, which compaction keeps short (raft.snapshot_interval_entries).
  auto walked = walk_log(
      reader, state.first_index(), LogIndex(state.last_index.value() + 1), kLogLoadPageEntries,
      [&state](LogEntry&& entry) -> Result<LogWalkStep> {
        const LogIndex before(entry.index.value() - 1);
        const std::optional<Term> previous =
            before == state.compacted_through.index
                ? std::optional<Term>(state.compacted_through.term)
                : state.log_terms.term_of(before);
        if (previous && entry.term < *previous) {
          return Status(ErrorCode::kCorrupt,
                        fmt::format("log entry {} has term {}, lower than the term {} before it",
                                    entry.index.value(), entry.term.value(), previous->value()));
        }
        state.log_terms.append(entry.index, entry.term);
        return LogWalkStep::kContinue;
      });
  if (!walked) return walked.status();
  if (walked->gap) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("the log has no entry {}, yet ends at {}", walked->next.value(),
                              state.last_index.value()));
  }
  return state;
}

}  // namespace

Result<std::unique_ptr<Storage>> Storage::open(std::shared_ptr<KvStore> kv) {
  auto version = check_format_version(*kv);
  if (!version) return version.status();
  if (*version < kStorageFormatVersion) {
    Status upgraded = upgrade_to_current_format(*kv, *version);
    if (!upgraded.is_ok()) return upgraded;
  }
  auto state = load_state(*kv);
  if (!state) return state.status();
  auto references = load_references(*kv);
  if (!references) return references.status();
  return std::unique_ptr<Storage>(
      new Storage(std::move(kv), *state, std::move(references).value()));
}

Result<std::unique_ptr<Storage>> Storage::open_rocksdb(
    const std::string& directory, const RocksDbOptions& options) {
  auto kv = RocksDbKvStore::open(directory, options);
  if (!kv) return kv.status();
  return open(std::shared_ptr<KvStore>(std::move(*kv)));
}

StorageState Storage::state() const {
  std::lock_guard lock(state_mutex_);
  return state_;
}

Status Storage::commit(const WriteBatch& batch, Sync sync) {
  // A sync alone changes no state, so it need not wait for commits in
  // progress, nor they for it: the storage thread syncs its groups this
  // way, and the apply on the node's thread writes meanwhile instead of
  // waiting out the disk.
  if (batch.empty() && sync == Sync::kYes) return kv_->write({}, Sync::kYes);
  std::lock_guard commit_lock(commit_mutex_);
  BatchResolver resolver(*kv_, state(), references_);
  auto resolved = resolver.resolve(batch);
  if (!resolved) return resolved.status();
  // An empty batch still has to sync when asked: it makes earlier unsynced
  // batches durable.
  if (!resolved->writes.empty() || sync == Sync::kYes) {
    Status written = kv_->write(resolved->writes, sync);
    if (!written.is_ok()) return written;
  }
  std::lock_guard state_lock(state_mutex_);
  state_ = std::move(resolved->state);
  references_.apply(resolved->references);
  return Status::ok();
}

StorageStats Storage::stats() const {
  const KvStoreStats kv = kv_->stats();
  auto of = [](const auto& per_space, KeySpace space) {
    return per_space[static_cast<size_t>(space)];
  };
  StorageStats stats;
  stats.keys = of(kv.keys, KeySpace::kPointers);
  stats.blob_bytes = of(kv.bytes, KeySpace::kBlobs);
  {
    std::lock_guard lock(state_mutex_);
    stats.blobs = references_.stored();
    stats.blobs_unreferenced = references_.unreferenced();
  }
  stats.data_bytes = kv.data_bytes;
  stats.write_stall_seconds = static_cast<double>(kv.write_stall_micros) / 1e6;
  stats.lookups_filtered = kv.lookups_filtered;
  stats.value_garbage_bytes = kv.value_garbage_bytes;
  stats.value_collection_on = kv.value_collection_on;
  return stats;
}

Result<BlobId> Storage::put_blob(std::string bytes, uint64_t now_ms, Sync sync) {
  WriteBatch batch;
  BlobId id = batch.put_blob(std::move(bytes), now_ms);
  Status status = commit(batch, sync);
  if (!status.is_ok()) return status;
  return id;
}

Result<StateSnapshot> Storage::create_snapshot() const {
  std::unique_ptr<KvReader> view = kv_->read_view();
  StateSnapshot snapshot;
  auto applied = read_meta<AppliedState>(*view, meta_key::kAppliedState,
                                         rc::decode_applied_state);
  if (!applied) return applied.status();
  if (applied->has_value()) snapshot.applied = **applied;

  std::set<BlobId> blobs;
  std::string start;
  while (true) {
    auto page = view->scan(KeySpace::kPointers, start, "", kSnapshotPageEntries);
    if (!page) return page.status();
    for (KvPair& pair : *page) {
      auto record = rc::decode_pointer(pair.value);
      if (!record) {
        return Status(ErrorCode::kCorrupt,
                      fmt::format("pointer record of a {}-byte key cannot be "
                                  "decoded",
                                  pair.key.size()));
      }
      blobs.insert(record->value_hash);
      snapshot.pointers.push_back(KeyPointer{std::move(pair.key), *record});
    }
    if (page->size() < kSnapshotPageEntries) break;
    start = snapshot.pointers.back().key + std::string(1, '\0');
  }
  snapshot.blobs.assign(blobs.begin(), blobs.end());

  const std::string records_end = prefix_end(meta_key::kNodeRecordPrefix);
  start = std::string(meta_key::kNodeRecordPrefix);
  while (true) {
    auto page =
        view->scan(KeySpace::kMeta, start, records_end, kSnapshotPageEntries);
    if (!page) return page.status();
    for (KvPair& pair : *page) {
      auto name = rc::decode_node_record_key(pair.key);
      QUOKKA_ASSERT(name.has_value(),
                    "a scan of the node record prefix returned a key outside "
                    "it");
      snapshot.node_records.push_back(
          KvPair{std::move(*name), std::move(pair.value)});
    }
    if (page->size() < kSnapshotPageEntries) break;
    start = rc::node_record_key(snapshot.node_records.back().key) +
            std::string(1, '\0');
  }
  return snapshot;
}

Result<std::vector<BlobId>> Storage::missing_blobs(
    const StateSnapshot& snapshot) const {
  std::vector<BlobId> missing;
  for (const BlobId& id : snapshot.blobs) {
    auto present = has_blob(id);
    if (!present) return present.status();
    if (!*present) missing.push_back(id);
  }
  return missing;
}

}  // namespace quokka
