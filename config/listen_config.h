#pragma once

#include "config/host_port.h"

namespace quokka {

// [listen]: the local addresses the daemon binds. They may be wildcards
// (0.0.0.0); what other nodes dial is cluster.members' address for this node.
struct ListenConfig {
  // Client API (quokkactl, the client library).
  HostPort client_address{"127.0.0.1", 7101};
  // Raft and blob traffic between members.
  HostPort peer_address{"127.0.0.1", 7201};
  // Prometheus scrape endpoint (/metrics).
  HostPort metrics_address{"127.0.0.1", 7301};

  bool operator==(const ListenConfig&) const = default;
};

}  // namespace quokka
