#include "client/backoff.h"

#include <algorithm>

namespace quokka::client {

Backoff::Backoff(const RetryPolicy& policy, uint64_t seed)
    : base_(policy.backoff_base), max_(policy.backoff_max), random_(seed) {}

std::chrono::milliseconds Backoff::before_retry(uint32_t retry) {
  const uint64_t base = static_cast<uint64_t>(base_.count());
  const uint64_t max = static_cast<uint64_t>(max_.count());
  // Doubling stops once past the maximum, so the shift never overflows.
  uint64_t cap = base;
  for (uint32_t i = 1; i < retry && cap < max; ++i) cap *= 2;
  cap = std::min(cap, max);
  const uint64_t wait = random_.between(cap / 2, cap);
  return std::chrono::milliseconds(static_cast<int64_t>(wait));
}

}  // namespace quokka::client
