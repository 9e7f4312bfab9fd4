#include "storage/memory_kv_store.h"

#include "common/assert.h"

namespace quokka {

namespace {

const MemoryKvStore::Space& space_of(const MemoryKvStore::Spaces& spaces,
                                     KeySpace space) {
  return spaces[static_cast<size_t>(space)];
}

Result<std::vector<KvPair>> scan_space(const MemoryKvStore::Space& space,
                                       std::string_view start,
                                       std::string_view end, size_t limit) {
  std::vector<KvPair> pairs;
  for (auto it = space.lower_bound(start);
       it != space.end() && pairs.size() < limit; ++it) {
    if (!end.empty() && it->first >= end) break;
    pairs.push_back(KvPair{it->first, it->second});
  }
  return pairs;
}

std::optional<std::string> last_key_of(const MemoryKvStore::Space& space) {
  if (space.empty()) return std::nullopt;
  return space.rbegin()->first;
}

// A frozen copy, so a view never changes under its reader.
class MemoryKvView final : public KvReader {
 public:
  explicit MemoryKvView(MemoryKvStore::Spaces spaces)
      : spaces_(std::move(spaces)) {}

  Result<std::optional<std::string>> get(KeySpace space,
                                         std::string_view key) const override {
    const auto& s = space_of(spaces_, space);
    auto it = s.find(key);
    if (it == s.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Result<std::vector<KvPair>> scan(KeySpace space, std::string_view start,
                                   std::string_view end,
                                   size_t limit) const override {
    return scan_space(space_of(spaces_, space), start, end, limit);
  }
  Result<std::optional<std::string>> last_key(KeySpace space) const override {
    return last_key_of(space_of(spaces_, space));
  }

 private:
  MemoryKvStore::Spaces spaces_;
};

}  // namespace

Result<std::optional<std::string>> MemoryKvStore::get(
    KeySpace space, std::string_view key) const {
  std::lock_guard lock(mutex_);
  const auto& s = space_of(current_, space);
  auto it = s.find(key);
  if (it == s.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Result<std::vector<KvPair>> MemoryKvStore::scan(KeySpace space,
                                                std::string_view start,
                                                std::string_view end,
                                                size_t limit) const {
  std::lock_guard lock(mutex_);
  return scan_space(space_of(current_, space), start, end, limit);
}

Result<std::optional<std::string>> MemoryKvStore::last_key(
    KeySpace space) const {
  std::lock_guard lock(mutex_);
  return last_key_of(space_of(current_, space));
}

void MemoryKvStore::apply(Spaces& spaces, const std::vector<KvWrite>& writes) {
  for (const KvWrite& w : writes) {
    Space& s = spaces[static_cast<size_t>(w.space)];
    switch (w.kind) {
      case KvWrite::Kind::kPut:
        s.insert_or_assign(w.key, w.value);
        break;
      case KvWrite::Kind::kDelete:
        s.erase(w.key);
        break;
      case KvWrite::Kind::kDeleteRange:
        if (w.key < w.value) {
          s.erase(s.lower_bound(w.key), s.lower_bound(w.value));
        }
        break;
    }
  }
}

Status MemoryKvStore::write(const std::vector<KvWrite>& writes, Sync sync) {
  std::lock_guard lock(mutex_);
  if (writes.empty() && sync == Sync::kNo) return Status::ok();
  apply(current_, writes);
  if (sync == Sync::kYes) {
    // A sync makes every earlier write durable too, as an fsync of a
    // write-ahead log does.
    synced_ = current_;
    unsynced_batches_.clear();
  } else {
    unsynced_batches_.push_back(writes);
  }
  return Status::ok();
}

std::unique_ptr<KvReader> MemoryKvStore::read_view() const {
  std::lock_guard lock(mutex_);
  return std::make_unique<MemoryKvView>(current_);
}

void MemoryKvStore::crash(size_t unsynced_batches_kept) {
  std::lock_guard lock(mutex_);
  QUOKKA_ASSERT(unsynced_batches_kept <= unsynced_batches_.size(),
                "cannot keep {} unsynced batches, only {} exist",
                unsynced_batches_kept, unsynced_batches_.size());
  for (size_t i = 0; i < unsynced_batches_kept; ++i) {
    apply(synced_, unsynced_batches_[i]);
  }
  unsynced_batches_.clear();
  current_ = synced_;
}

size_t MemoryKvStore::unsynced_batch_count() const {
  std::lock_guard lock(mutex_);
  return unsynced_batches_.size();
}

KvStoreStats MemoryKvStore::stats() const {
  std::lock_guard lock(mutex_);
  KvStoreStats stats;
  for (size_t i = 0; i < current_.size(); ++i) {
    stats.keys[i] = current_[i].size();
    for (const auto& [key, value] : current_[i]) stats.bytes[i] += key.size() + value.size();
    stats.data_bytes += stats.bytes[i];
  }
  return stats;
}

}  // namespace quokka
