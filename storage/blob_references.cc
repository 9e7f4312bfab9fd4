#include "storage/blob_references.h"

#include <utility>

namespace quokka {

BlobReferences::BlobReferences(Records records) : records_(std::move(records)) {
  for (const auto& [id, record] : records_) {
    if (record.count == 0) unreferenced_.add(record.unreferenced_since_ms, id);
  }
}

const BlobReferences::Record* BlobReferences::find(const BlobId& id) const {
  auto found = records_.find(id);
  return found == records_.end() ? nullptr : &found->second;
}

void BlobReferences::set(const BlobId& id, const std::optional<Record>& after) {
  if (!after) {
    auto found = records_.find(id);
    if (found == records_.end()) return;
    if (found->second.count == 0) unreferenced_.remove(found->second.unreferenced_since_ms, id);
    records_.erase(found);
    return;
  }
  // One hash lookup whether the blob is new or not: the table is large and
  // each lookup is a cache miss or two.
  auto [slot, inserted] = records_.try_emplace(id, *after);
  if (!inserted) {
    if (slot->second.count == 0) unreferenced_.remove(slot->second.unreferenced_since_ms, id);
    slot->second = *after;
  }
  if (after->count == 0) unreferenced_.add(after->unreferenced_since_ms, id);
}

void BlobReferences::apply(const std::vector<Change>& changes) {
  for (const Change& change : changes) set(change.id, change.after);
}

}  // namespace quokka
