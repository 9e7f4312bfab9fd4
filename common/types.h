#pragma once

#include <cstdint>

#include "common/strong_type.h"

namespace quokka {

// Raft term (Raft §5.1). Term 0 is "no term yet".
using Term = StrongType<uint64_t, struct TermTag>;
// Position in the Raft log; the first real entry has index 1, 0 means "none".
using LogIndex = StrongType<uint64_t, struct LogIndexTag>;
// Identity of a cluster member; 0 means "nobody" (for example no vote cast).
using NodeId = StrongType<uint64_t, struct NodeIdTag>;
// The cluster-wide revision: it grows by one with every applied mutation.
using Revision = StrongType<uint64_t, struct RevisionTag>;

}  // namespace quokka
