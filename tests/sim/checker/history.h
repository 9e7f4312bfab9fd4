#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error_code.h"
#include "common/strong_type.h"
#include "common/types.h"

namespace quokka::sim {

// A client of the recorded workload. Clients are single-threaded: each has at
// most one operation in flight. The checker itself only uses real time; the
// client id is there so that a person can read the history.
using ClientId = StrongType<uint64_t, struct ClientIdTag>;

// Time in simulated ticks. Operation a precedes operation b in real time only
// when a.complete_tick < b.invoke_tick; equal ticks count as concurrent.
inline constexpr uint64_t kNeverTick = std::numeric_limits<uint64_t>::max();

enum class OperationKind : uint8_t {
  kPut,             // Put(key, value) -> revision
  kGet,             // Get(key) -> (value or absent, mod_revision)
  kDelete,          // Delete(key)
  kCompareAndSwap,  // CompareAndSwap(key, expected_revision, value)
};

// How an operation ended, as its client saw it.
enum class Outcome : uint8_t {
  // It happened; the output fields hold what it returned.
  kOk,
  // Definite failure: it did not happen and must never become visible. A
  // CompareAndSwap failing with CAS_MISMATCH is the one failure that still
  // observed the store: the key's mod_revision was not the expected one.
  kFail,
  // Indeterminate (timeout, lost connection, crash): it may have taken effect
  // at any time after its invoke, or never.
  kInfo,
};

// One operation of a history: input, real-time interval and outcome.
struct Operation {
  ClientId client;
  OperationKind kind = OperationKind::kGet;
  std::string key;
  // kPut and kCompareAndSwap: the value written. A workload must write a
  // value at most once per key (see linearizability_checker.h).
  std::string value;
  // kCompareAndSwap: the mod_revision the key must have; 0 = "must not exist".
  Revision expected_revision;

  uint64_t invoke_tick = 0;
  // kOk and kFail: when the client learned the outcome (>= invoke_tick).
  // kInfo: when the client gave up, or kNeverTick; reports show it, the
  // checker ignores it.
  uint64_t complete_tick = kNeverTick;
  Outcome outcome = Outcome::kInfo;
  // kFail and kInfo: the error the client got (kCasMismatch for a CAS that
  // observed another revision). kOk for kOk.
  ErrorCode error = ErrorCode::kOk;

  // Outputs, meaningful for kOk only.
  // kGet: the value read, or nullopt when the key was absent.
  std::optional<std::string> read_value;
  // kPut / kCompareAndSwap: the revision the write created.
  // kGet of a present key: the key's mod_revision.
  // 0 = not reported; the checker then does not use it.
  Revision revision;
};

// Operations in any order; positions in the vector are the operation numbers
// ("#12") that checker reports use.
using History = std::vector<Operation>;

std::string_view operation_kind_name(OperationKind kind);
std::string_view outcome_name(Outcome outcome);

// One line for a person, e.g.
//   #12 client 3 put "k" = "v7" [100, 120] ok rev 15
// Values are quoted, escaped and shortened when long.
std::string describe_operation(size_t index, const Operation& operation);

// A value as it appears in reports: quoted, non-printable bytes escaped,
// shortened to at most 48 characters.
std::string quote_value(std::string_view value);

}  // namespace quokka::sim
