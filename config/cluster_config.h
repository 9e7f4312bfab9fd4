#pragma once

#include <cstddef>
#include <vector>

#include "common/types.h"
#include "config/host_port.h"

namespace quokka {

// One voting member of the cluster, as every node must see it.
struct ClusterMember {
  NodeId id{1};
  // What the other members dial for Raft and blob traffic.
  HostPort peer_address{"127.0.0.1", 7201};
  // What clients are told when this member is the leader (NOT_LEADER hints).
  HostPort client_address{"127.0.0.1", 7101};

  bool operator==(const ClusterMember&) const = default;
};

// [cluster]: the static membership. Every node's file lists the same members
// in any order; membership changes at run time are out of scope for now.
struct ClusterConfig {
  // A Raft cluster of 2f+1 members survives f failures; more than seven
  // members only slow every commit down without a matching gain.
  static constexpr size_t kMembersMin = 1;
  static constexpr size_t kMembersMax = 7;

  // Invariant after validate(): ids and addresses are unique and node.id is
  // among the ids. The default is a single-node cluster matching [listen]'s
  // defaults, so a node started without any file works on its own.
  std::vector<ClusterMember> members{ClusterMember{}};
  // A follower passes a client's write on to the leader over its peer
  // connection and relays the answer (as etcd followers do); false: it
  // refuses the write with NOT_LEADER and the leader's client address, and
  // the client goes there itself.
  bool forward_writes = true;

  bool operator==(const ClusterConfig&) const = default;
};

}  // namespace quokka
