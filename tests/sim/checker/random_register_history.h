#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/deterministic_random.h"
#include "tests/sim/checker/history.h"

namespace quokka::sim::testing {

struct RandomHistoryOptions {
  uint64_t seed = 1;
  size_t operations = 1000;
  size_t clients = 8;
  size_t keys = 4;
  // Percent of operations whose outcome the client never learns; a write
  // among them takes effect with probability 1/2.
  uint64_t indeterminate_percent = 3;
  // Percent of operations that fail definitely (NOT_LEADER) and do nothing.
  uint64_t failure_percent = 3;
  // An operation takes effect up to this many ticks after its invoke, and
  // completes up to this many ticks after that.
  uint64_t latency_ticks_max = 20;
  // A client waits up to this many ticks between two operations.
  uint64_t think_ticks_max = 5;
  // Leave every revision unreported (0), so that only values are checked.
  bool report_revisions = true;
};

// A history of a correct store: clients with random overlapping intervals
// against one sequential register per key, each operation taking effect at
// a random instant inside its interval. Every write writes a fresh value.
// Gets, Puts, Deletes and CompareAndSwaps (expecting the current revision,
// absence, or some other revision) are mixed.
History generate_register_history(const RandomHistoryOptions& options);

// Turns one ok Get into a stale read that no linearization explains: it now
// returns the value of an ok write W although another ok write of the key
// completed after W completed and before the Get was invoked. Returns the
// Get's position, or nullopt when the history has no such triple.
std::optional<size_t> make_stale_read(History& history,
                                      DeterministicRandom& random);

}  // namespace quokka::sim::testing
