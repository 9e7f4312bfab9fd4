#pragma once

#include <cstdint>

#include "common/assert.h"

namespace quokka {

// A small seeded generator (SplitMix64) whose sequence is the same on every
// platform and standard library, so that a seed replays a run exactly. The
// standard distributions are not portable across libraries; this is.
// Not for cryptography.
class DeterministicRandom {
 public:
  explicit DeterministicRandom(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound); bound must be positive. The rejection loop ends
  // with probability 1 and runs more than twice with probability < 1/4.
  uint64_t below(uint64_t bound) {
    QUOKKA_ASSERT(bound > 0, "below(0) has no value to return");
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    for (;;) {
      const uint64_t value = next();
      if (value < limit) return value % bound;
    }
  }

  // Uniform in [lo, hi]; requires lo <= hi.
  uint64_t between(uint64_t lo, uint64_t hi) {
    QUOKKA_ASSERT(lo <= hi, "between({}, {}) is an empty range", lo, hi);
    if (hi - lo == UINT64_MAX) return next();
    return lo + below(hi - lo + 1);
  }

  // True with probability numerator / denominator.
  bool chance(uint64_t numerator, uint64_t denominator) {
    return below(denominator) < numerator;
  }

 private:
  uint64_t state_;
};

}  // namespace quokka
