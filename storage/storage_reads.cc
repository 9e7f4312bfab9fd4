// The read side of Storage: BlobStore, PointerTable, NodeRecordTable and
// RaftLog.
#include <fmt/format.h>

#include "common/assert.h"
#include "storage/log_walk.h"
#include "storage/record_codec.h"
#include "storage/storage.h"

namespace quokka {

namespace rc = record_codec;

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

Result<std::string> Storage::get_blob(const BlobId& id) const {
  auto stored = kv_->get(KeySpace::kBlobs, id.bytes());
  if (!stored) return stored.status();
  if (!stored->has_value()) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("blob {} is not stored", id.hex()));
  }
  // Verify on every read: content addressing makes corruption detectable,
  // and bad bytes must never reach a client.
  if (BlobId::of(**stored) != id) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("blob {} is corrupt: its {} stored bytes hash to "
                              "{}",
                              id.hex(), (*stored)->size(),
                              BlobId::of(**stored).hex()));
  }
  return std::move(**stored);
}

Result<bool> Storage::has_blob(const BlobId& id) const {
  std::lock_guard lock(state_mutex_);
  return references_.find(id) != nullptr;
}

Result<uint64_t> Storage::blob_reference_count(const BlobId& id) const {
  std::lock_guard lock(state_mutex_);
  const BlobReferences::Record* record = references_.find(id);
  if (record == nullptr) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("blob {} is not stored", id.hex()));
  }
  return record->count;
}

Result<std::vector<BlobId>> Storage::unreferenced_blobs(
    uint64_t unreferenced_before_ms, size_t limit) const {
  std::lock_guard lock(state_mutex_);
  return references_.unreferenced_before(unreferenced_before_ms, limit);
}

Result<std::optional<PointerRecord>> Storage::get_pointer(
    std::string_view key) const {
  auto stored = kv_->get(KeySpace::kPointers, key);
  if (!stored) return stored.status();
  if (!stored->has_value()) return std::optional<PointerRecord>();
  auto record = rc::decode_pointer(**stored);
  if (!record) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("pointer record of a {}-byte key cannot be "
                              "decoded",
                              key.size()));
  }
  return std::optional<PointerRecord>(*record);
}

Result<PointerPage> Storage::range_pointers(std::string_view start,
                                            std::string_view end,
                                            size_t limit) const {
  if (limit == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "a range limit must be at least 1, got 0");
  }
  // One extra pair tells whether the range goes on past the page.
  auto pairs = kv_->scan(KeySpace::kPointers, start, end, limit + 1);
  if (!pairs) return pairs.status();
  PointerPage page;
  page.more = pairs->size() > limit;
  if (page.more) pairs->pop_back();
  page.pointers.reserve(pairs->size());
  for (KvPair& pair : *pairs) {
    auto record = rc::decode_pointer(pair.value);
    if (!record) {
      return Status(ErrorCode::kCorrupt,
                    fmt::format("pointer record of a {}-byte key cannot be "
                                "decoded",
                                pair.key.size()));
    }
    page.pointers.push_back(KeyPointer{std::move(pair.key), *record});
  }
  return page;
}

AppliedState Storage::applied_state() const { return state().applied; }

Result<std::optional<std::string>> Storage::get_node_record(
    std::string_view name) const {
  Status valid = check_node_record_name(name);
  if (!valid.is_ok()) return valid;
  return kv_->get(KeySpace::kMeta, rc::node_record_key(name));
}

Result<std::vector<KvPair>> Storage::node_records(std::string_view prefix,
                                                  size_t limit) const {
  if (limit == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "a node record limit must be at least 1, got 0");
  }
  std::string start = rc::node_record_key(prefix);
  std::string end = prefix_end(start);
  // The key prefix is not all 0xff bytes, so the range is bounded and cannot
  // reach past the node records into the rest of the meta key space.
  QUOKKA_ASSERT(!end.empty(), "a node record scan must have an upper bound");
  auto pairs = kv_->scan(KeySpace::kMeta, start, end, limit);
  if (!pairs) return pairs.status();
  for (KvPair& pair : *pairs) {
    auto name = rc::decode_node_record_key(pair.key);
    QUOKKA_ASSERT(name.has_value(),
                  "a scan of the node record prefix returned a key outside it");
    pair.key = std::move(*name);
  }
  return pairs;
}

LogIndex Storage::first_index() const { return state().first_index(); }

LogIndex Storage::last_index() const { return state().last_index; }

LogPosition Storage::compacted_through() const {
  return state().compacted_through;
}

HardState Storage::hard_state() const { return state().hard_state; }

namespace {

Status outside_log(LogIndex index, const StorageState& state) {
  return Status(ErrorCode::kNotFound,
                fmt::format("no entry at index {}: the log holds [{}, {}]",
                            index.value(), state.first_index().value(),
                            state.last_index.value()));
}

Status entry_vanished(LogIndex index) {
  // A concurrent commit compacted or replaced it after the bounds were read.
  return Status(ErrorCode::kNotFound,
                fmt::format("entry {} left the log while being read",
                            index.value()));
}

}  // namespace

Result<Term> Storage::term_at(LogIndex index) const {
  StorageState current = state();
  if (index == current.compacted_through.index) {
    return current.compacted_through.term;
  }
  if (index < current.first_index() || index > current.last_index) {
    return outside_log(index, current);
  }
  std::optional<Term> term = current.log_terms.term_of(index);
  QUOKKA_ASSERT(term.has_value(), "entry {} is in the log [{}, {}] but has no term",
                index.value(), current.first_index().value(), current.last_index.value());
  return *term;
}

Result<std::vector<LogEntry>> Storage::entries(LogIndex lo, LogIndex hi,
                                               uint64_t bytes_max) const {
  StorageState current = state();
  if (lo > hi) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("entry range [{}, {}) is inverted", lo.value(),
                              hi.value()));
  }
  if (lo < current.first_index()) return outside_log(lo, current);
  if (hi.value() > current.last_index.value() + 1) {
    return outside_log(LogIndex(hi.value() - 1), current);
  }
  std::vector<LogEntry> result;
  if (lo == hi) return result;

  // Read in pages so a small byte budget does not read the whole range.
  constexpr size_t kPageEntries = 256;
  uint64_t bytes = 0;
  auto walked = walk_log(*kv_, lo, hi, kPageEntries,
                         [&](LogEntry&& entry) -> Result<LogWalkStep> {
                           bytes += entry.byte_size();
                           if (!result.empty() && bytes > bytes_max) return LogWalkStep::kStop;
                           result.push_back(std::move(entry));
                           return LogWalkStep::kContinue;
                         });
  if (!walked) return walked.status();
  if (walked->gap) return entry_vanished(walked->next);
  return result;
}

}  // namespace quokka
