#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "client/bench/bench_options.h"
#include "client/client_error.h"
#include "client/client_stats.h"
#include "common/status.h"
#include "common/types.h"

namespace quokka::client::bench {

// How one request ended, as the generator records it.
struct TargetReply {
  // Null on success.
  const ClientError* error = nullptr;
  // A get that found no value.
  bool missing = false;
  // Compare-and-swap: the key's mod_revision after a success, or as the
  // store reported it with a CAS_MISMATCH.
  Revision mod_revision;
};
using ReplyCallback = std::function<void(const TargetReply&)>;

// One connection to the store under test: what the load generator drives,
// whichever store it is. Every callback of one target runs on that target's
// own I/O thread, exactly once and never inside the call that started the
// request, so a target's statistics need no lock.
class KvTarget {
 public:
  virtual ~KvTarget() = default;

  virtual void put(std::string key, std::string value, ReplyCallback done) = 0;
  // With the run's consistency.
  virtual void get(std::string key, ReplyCallback done) = 0;
  // Writes only if the key's mod_revision is `expected` (0: only if absent).
  virtual void compare_and_swap(std::string key, Revision expected, std::string value,
                                ReplyCallback done) = 0;

  // The client library's own view (retries, leader hints, latencies), when
  // the target goes through it.
  virtual std::optional<ClientStats> client_stats() const { return std::nullopt; }
};

// Connection number `connection_number` to the run's store (--target): at
// most `in_flight_max` requests outstanding at once, each with the run's
// deadline.
Result<std::unique_ptr<KvTarget>> make_target(const BenchOptions& options,
                                              uint32_t connection_number,
                                              uint32_t in_flight_max);

}  // namespace quokka::client::bench
