#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/sim/checker/key_history.h"

namespace quokka::sim {

struct SearchLimits {
  // Iterations of the search loop (one per event looked at) before giving up.
  uint64_t steps_max = 0;
  // Bytes the memo of visited (linearized set, state) pairs may hold.
  uint64_t memo_bytes_max = 0;
  // For explanations: keep the longest sequence of operations linearized
  // (a copy of the stack whenever it grows past its longest), and leave out
  // the pruning rules that reject a write because of an operation that must
  // come later, so that the search fails at that later operation. Slower;
  // meant for small histories.
  bool explain = false;
};

struct SearchResult {
  enum class Kind : uint8_t { kLinearizable, kNotLinearizable, kLimitReached };
  Kind kind = Kind::kLinearizable;
  uint64_t steps = 0;
  uint64_t memo_entries = 0;
  uint64_t memo_bytes = 0;
  // kLimitReached: which limit, in words.
  std::string limit_reached;
  // kNotLinearizable: among the required operations whose completion the
  // search could not get past, the one that completes last (local index).
  // Everything invoked after its completion is irrelevant to the violation.
  int32_t blocking_operation = -1;
  // With explain: the longest sequence of operations the
  // search managed to linearize, in linearization order (local indices).
  std::vector<int32_t> longest_prefix;
};

// Decides whether one key's operations are linearizable with respect to a
// register that starts absent (see linearizability_checker.h for the model).
//
// Wing & Gong's search with Lowe's just-in-time linearization: walk the
// events in time order; at a call, try to linearize that operation now
// (the model must accept it and the pair (linearized set, register state)
// must be new); at the return of an operation not yet linearized, undo the
// most recent choice. Optional operations have no return event, so they
// never force a backtrack and may stay unlinearized.
SearchResult search_linearization(const KeyHistory& history,
                                  const SearchLimits& limits);

}  // namespace quokka::sim
