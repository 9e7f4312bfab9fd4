#pragma once

#include <string>

#include "common/types.h"

namespace quokka {

// [node]: who this node is and where it keeps its data.
struct NodeIdentityConfig {
  // Must be one of cluster.members' ids. 0 is reserved for "nobody" (Raft
  // uses it for "no vote cast"), so ids start at 1.
  NodeId id{1};
  // Names the cluster. Every member must agree on it; peers compare it in
  // the handshake so that a node pointed at the wrong cluster refuses to
  // join it instead of corrupting it.
  std::string cluster_id = "quokka-local";
  // RocksDB database, Raft log and snapshots. Relative paths are relative to
  // the daemon's working directory.
  std::string data_dir = "quokka-data";

  bool operator==(const NodeIdentityConfig&) const = default;
};

}  // namespace quokka
