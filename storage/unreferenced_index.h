#pragma once

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "common/blob_id.h"

namespace quokka {

// The blobs no pointer references, ordered by when they became so: what
// blob collection walks, oldest first. It lives in memory only, part of
// BlobReferences, and is rebuilt when the store opens, so a write does not
// pay a durable index insert and delete for every value it unreferences and
// references (docs/decisions.md, "The unreferenced-blob index in memory").
class UnreferencedIndex {
 public:
  void add(uint64_t since_ms, const BlobId& id);
  void remove(uint64_t since_ms, const BlobId& id);

  // Up to `limit` blobs unreferenced since before `before_ms`, oldest first.
  std::vector<BlobId> before(uint64_t before_ms, size_t limit) const;
  size_t size() const { return entries_.size(); }

 private:
  std::set<std::pair<uint64_t, BlobId>> entries_;
};

}  // namespace quokka
