#pragma once

#include <vector>

#include "common/blob_id.h"
#include "storage/pointer_record.h"

namespace quokka {

// The replicated state at one applied index: every pointer, and the set of
// blobs they reference. The blobs' bytes are not in it; they travel on their
// own path, and a node restores a snapshot only once it holds every blob.
struct StateSnapshot {
  AppliedState applied;
  std::vector<KeyPointer> pointers;  // ascending by key
  std::vector<BlobId> blobs;         // ascending, no duplicates
  bool operator==(const StateSnapshot&) const = default;
};

}  // namespace quokka
