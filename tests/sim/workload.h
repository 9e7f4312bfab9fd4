#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/deterministic_random.h"
#include "common/types.h"
#include "tests/sim/checker/history.h"

namespace quokka::sim {

enum class WorkloadKind : uint8_t {
  // Get (linearizable) / Put / CompareAndSwap / Delete on a few registers,
  // every value unique.
  kRegisters,
  // Puts and CompareAndSwaps retried with the same WriteIdentity after
  // every indeterminate answer, across nodes, until a definite one.
  kExactlyOnce,
  // Many keys holding the same value (one stored blob, many references),
  // overwritten and deleted all the time.
  kSharedBlobs,
  // Values just below, at and above the inline limit and the value limit.
  kLargeValues,
};

std::string_view workload_kind_name(WorkloadKind kind);

struct WorkloadShape {
  uint64_t register_keys = 20;
  uint64_t shared_keys = 40;
  uint64_t large_keys = 6;
  uint64_t value_bytes_max = 64 * 1024;
  uint64_t inline_value_bytes_max = 4 * 1024;
};

// The next operation a client runs.
struct PlannedOperation {
  OperationKind kind = OperationKind::kGet;
  std::string key;
  // Writes: the value's token and size (see value_codec.h).
  std::string token;
  uint64_t size = 0;
  Revision expected_revision;  // kCompareAndSwap
  // Retry with the same WriteIdentity after an indeterminate answer.
  bool retry_indeterminate = false;
  // The value is over the limit: the only right answer is TOO_LARGE.
  bool expect_too_large = false;
};

// What one client does next. Values are unique per key (every token names
// its client and a counter), as the linearizability checker requires.
class Workload {
 public:
  Workload(WorkloadKind kind, uint64_t client_index, const WorkloadShape& shape)
      : kind_(kind), client_index_(client_index), shape_(shape) {}

  WorkloadKind kind() const { return kind_; }
  PlannedOperation next(DeterministicRandom& random);
  // The key's mod_revision as an answer showed it, for later CASes.
  void observed(const std::string& key, Revision mod_revision);
  // Every key this kind of workload may touch.
  static std::vector<std::string> keys(WorkloadKind kind, const WorkloadShape& shape);

 private:
  std::string new_token();
  PlannedOperation next_register(DeterministicRandom& random, std::string_view prefix,
                                 uint64_t key_count);
  PlannedOperation next_shared(DeterministicRandom& random);
  PlannedOperation next_large(DeterministicRandom& random);

  WorkloadKind kind_;
  uint64_t client_index_;
  WorkloadShape shape_;
  uint64_t counter_ = 0;
  std::map<std::string, Revision> last_seen_;
  // kSharedBlobs: the value of the current generation and the keys that
  // already got it (a key gets each value at most once).
  std::string shared_token_;
  uint64_t shared_size_ = 0;
  std::set<std::string> shared_written_;
};

}  // namespace quokka::sim
