#pragma once

#include <memory>

#include "client/bench/kv_target.h"

namespace quokka::client::bench {

// etcd through its gRPC KV API: one channel (its own TCP connection) to one
// member and one completion-queue thread, the same shape as a quokka
// Client. Built only where gRPC is installed.
Result<std::unique_ptr<KvTarget>> make_etcd_target(const BenchOptions& options,
                                                   uint32_t connection_number);

}  // namespace quokka::client::bench
