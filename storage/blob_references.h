#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/blob_id.h"
#include "storage/record_codec.h"
#include "storage/unreferenced_index.h"

namespace quokka {

// Every stored blob with its reference count (how many pointers name it)
// and, at count 0, since when it has been unreferenced; and the index of the
// unreferenced ones that blob collection walks.
//
// It lives in memory. The counts are derived from the pointer table when
// the store opens, so a write pays no durable count update and no count
// lookup; on disk each stored blob keeps only a record of since when it is
// unreferenced, rewritten when its count drops to 0 or its grace period
// restarts (docs/decisions.md, "Reference counts derived from the
// pointers"). About 80 bytes of memory per stored blob.
class BlobReferences {
 public:
  using Record = record_codec::BlobRefRecord;
  struct Change {
    BlobId id;
    std::optional<Record> after;  // nullopt: the blob is no longer stored
  };

  using Records = std::unordered_map<BlobId, Record>;

  BlobReferences() = default;
  // Takes over the records of every stored blob, as the open counted them,
  // and indexes the unreferenced ones.
  explicit BlobReferences(Records records);

  // nullptr when the blob is not stored.
  const Record* find(const BlobId& id) const;
  void apply(const std::vector<Change>& changes);

  // Up to `limit` blobs unreferenced since before `before_ms`, oldest first.
  std::vector<BlobId> unreferenced_before(uint64_t before_ms, size_t limit) const {
    return unreferenced_.before(before_ms, limit);
  }
  size_t stored() const { return records_.size(); }
  size_t unreferenced() const { return unreferenced_.size(); }

  // Calls `visit(id, record)` for every stored blob, in no particular order.
  template <typename Visit>
  void for_each(Visit visit) const {
    for (const auto& [id, record] : records_) visit(id, record);
  }

 private:
  void set(const BlobId& id, const std::optional<Record>& after);

  Records records_;
  UnreferencedIndex unreferenced_;
};

}  // namespace quokka
