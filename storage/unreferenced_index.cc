#include "storage/unreferenced_index.h"

namespace quokka {

void UnreferencedIndex::add(uint64_t since_ms, const BlobId& id) {
  entries_.emplace(since_ms, id);
}

void UnreferencedIndex::remove(uint64_t since_ms, const BlobId& id) {
  entries_.erase({since_ms, id});
}

std::vector<BlobId> UnreferencedIndex::before(uint64_t before_ms, size_t limit) const {
  std::vector<BlobId> ids;
  for (auto it = entries_.begin(); it != entries_.end() && ids.size() < limit; ++it) {
    if (it->first >= before_ms) break;
    ids.push_back(it->second);
  }
  return ids;
}

}  // namespace quokka
