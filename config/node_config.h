#pragma once

#include "config/cluster_config.h"
#include "config/config_origins.h"
#include "config/limits_config.h"
#include "config/listen_config.h"
#include "config/log_config.h"
#include "config/metrics_config.h"
#include "config/node_identity_config.h"
#include "config/queues_config.h"
#include "config/raft_config.h"
#include "config/storage_config.h"

namespace quokka {

// Everything a quokkad node is configured with, one member per TOML
// section. A default-constructed NodeConfig is a valid single-node cluster
// on 127.0.0.1; docs/configuration.md describes every field.
struct NodeConfig {
  NodeIdentityConfig node;
  ListenConfig listen;
  ClusterConfig cluster;
  LimitsConfig limits;
  QueuesConfig queues;
  RaftConfig raft;
  StorageConfig storage;
  LogConfig log;
  MetricsConfig metrics;

  // Not a setting: where each setting came from, for error messages.
  ConfigOrigins origins;

  bool operator==(const NodeConfig&) const = default;
};

}  // namespace quokka
