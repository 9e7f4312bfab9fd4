#pragma once

#include <chrono>
#include <cstdint>

#include "client/client_options.h"
#include "common/deterministic_random.h"

namespace quokka::client {

// The waits between attempts, as RetryPolicy describes them, drawn from a
// seeded generator so that a test can predict them.
class Backoff {
 public:
  Backoff(const RetryPolicy& policy, uint64_t seed);

  // The wait before retry number `retry` (1 for the first retry): uniform
  // in [cap / 2, cap], cap = min(backoff_max, backoff_base * 2^(retry-1)).
  std::chrono::milliseconds before_retry(uint32_t retry);

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds max_;
  DeterministicRandom random_;
};

}  // namespace quokka::client
