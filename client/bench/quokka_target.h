#pragma once

#include <memory>

#include "client/bench/kv_target.h"
#include "client/client.h"

namespace quokka::client::bench {

// quokka through its client library: one Client (one connection at a time,
// one I/O thread) with a write session per request it may have in flight.
Result<std::unique_ptr<KvTarget>> make_quokka_target(const BenchOptions& options,
                                                     uint32_t in_flight_max);

}  // namespace quokka::client::bench
