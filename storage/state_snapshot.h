#pragma once

#include <vector>

#include "common/blob_id.h"
#include "storage/kv_store.h"
#include "storage/pointer_record.h"

namespace quokka {

// The replicated state at one applied index: every pointer, the set of blobs
// they reference, and every node record (node_record_table.h), all as of the
// same point in time. The blobs' bytes are not in it; they travel on their
// own path, and a node restores a snapshot only once it holds every blob.
struct StateSnapshot {
  AppliedState applied;
  std::vector<KeyPointer> pointers;  // ascending by key
  std::vector<BlobId> blobs;         // ascending, no duplicates
  // Ascending by name, no duplicates; each KvPair's key is the record name.
  std::vector<KvPair> node_records;
  bool operator==(const StateSnapshot&) const = default;
};

}  // namespace quokka
