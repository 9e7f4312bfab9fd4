#pragma once

#include <string>

#include "common/blob_id.h"
#include "common/types.h"

namespace quokka::node {

// A digest of the replicated state at one applied index: every pointer, the
// set of values they reference, and the node records (sessions, membership).
// Two nodes at the same applied index must have the same digest.
struct StateHash {
  LogIndex applied;
  Revision revision;
  BlobId digest;  // SHA-256 over a canonical encoding
  bool operator==(const StateHash&) const = default;
  std::string describe() const;
};

}  // namespace quokka::node
