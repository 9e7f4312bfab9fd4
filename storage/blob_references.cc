#include "storage/blob_references.h"

namespace quokka {

const BlobReferences::Record* BlobReferences::find(const BlobId& id) const {
  auto found = records_.find(id);
  return found == records_.end() ? nullptr : &found->second;
}

void BlobReferences::set(const BlobId& id, const std::optional<Record>& after) {
  auto found = records_.find(id);
  if (found != records_.end() && found->second.count == 0) {
    unreferenced_.remove(found->second.unreferenced_since_ms, id);
  }
  if (!after) {
    if (found != records_.end()) records_.erase(found);
    return;
  }
  if (found == records_.end()) {
    records_.emplace(id, *after);
  } else {
    found->second = *after;
  }
  if (after->count == 0) unreferenced_.add(after->unreferenced_since_ms, id);
}

void BlobReferences::apply(const std::vector<Change>& changes) {
  for (const Change& change : changes) set(change.id, change.after);
}

}  // namespace quokka
