#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/blob_id.h"
#include "common/types.h"

namespace quokka {

// The mutable half of a key: which immutable value it points to, and the
// revisions etcd users know (create_revision, mod_revision, version).
struct PointerRecord {
  BlobId value_hash;
  uint64_t value_size = 0;
  Revision create_revision;  // revision of the write that created the key
  Revision mod_revision;     // revision of the latest write to the key
  uint64_t version = 0;      // writes since creation; 1 after the first
  bool operator==(const PointerRecord&) const = default;
};

struct KeyPointer {
  std::string key;
  PointerRecord record;
  bool operator==(const KeyPointer&) const = default;
};

// One page of an ordered range scan.
struct PointerPage {
  std::vector<KeyPointer> pointers;  // ascending by key
  bool more = false;  // true when the range holds keys past the last one
};

// What has been applied to the pointer table: the log position of the last
// applied entry and the revision it produced. Stored in the same write batch
// as the pointer changes, so the two never disagree after a crash.
struct AppliedState {
  LogIndex index;
  Term term;
  Revision revision;
  bool operator==(const AppliedState&) const = default;
};

}  // namespace quokka
