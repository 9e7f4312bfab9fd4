#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/sim/checker/history.h"

namespace quokka::sim {

// What an operation does to one key's register during the search.
enum class Step : uint8_t {
  kRead,            // Get ok: must see read_state.
  kWrite,           // Put: the register becomes this operation's value.
  kDelete,          // Delete: the key becomes absent.
  kCompareAndSwap,  // CAS: like kWrite, allowed only where the revision matches.
  kCasMismatch,     // CAS failed with CAS_MISMATCH: must see another revision.
};

// Register states: a local index of the write whose value the key holds, or
// one of these.
inline constexpr int32_t kAbsentState = -1;
// The state a read is given when the write it saw is outside the operations
// being searched; no register ever holds it.
inline constexpr int32_t kUnreachableState = -2;

// One operation of one key, reduced to what the search needs.
struct KeyOperation {
  size_t history_index = 0;
  Step step = Step::kRead;
  // Required operations (ok, or CAS_MISMATCH) must be linearized within
  // [invoke_tick, complete_tick]. Optional ones (indeterminate) may be
  // linearized at any point after invoke_tick, or dropped.
  bool required = true;
  uint64_t invoke_tick = 0;
  // kNeverTick for optional operations.
  uint64_t complete_tick = kNeverTick;
  // kRead: the local index of the write whose value was read, kAbsentState,
  // or kUnreachableState.
  int32_t read_state = kAbsentState;
  // kWrite / kCompareAndSwap: the revision this write created when it is
  // known (reported by the write or by a read of its value); 0 = unknown.
  uint64_t revision = 0;
  // kCompareAndSwap / kCasMismatch.
  uint64_t expected_revision = 0;
  // True when expected_revision is the known revision of some write, of this
  // key or another: then no write of unknown revision can have it.
  bool expected_claimed = false;
};

// The operations of one key that constrain the search, sorted by invoke
// tick (then by history position).
struct KeyHistory {
  std::string key;
  std::vector<KeyOperation> operations;
  // Operations of this key left out because they cannot constrain it.
  size_t dropped_count = 0;
};

// Something decided without a search: a broken workload precondition, or a
// violation that one or two operations already show.
struct Finding {
  enum class Kind : uint8_t { kInvalidHistory, kViolation };
  Kind kind = Kind::kViolation;
  std::string key;  // empty when the finding spans keys
  std::string explanation;
  std::vector<size_t> operations;  // history positions
};

struct Partition {
  std::vector<KeyHistory> keys;  // sorted by key
  std::optional<Finding> finding;
};

// Validates the history, runs the checks that need no search, and splits it
// into one KeyHistory per key. When `finding` is set, `keys` is empty.
Partition partition_history(const History& history);

// The sub-history of `source` holding the operations with keep[i] set; those
// that also have make_optional[i] become optional (as if their outcome were
// unknown). Reads of writes that are not kept get kUnreachableState.
// make_optional must only be set on writes (kWrite, kDelete,
// kCompareAndSwap).
KeyHistory restrict_key_history(const KeyHistory& source,
                                const std::vector<bool>& keep,
                                const std::vector<bool>& make_optional);

}  // namespace quokka::sim
