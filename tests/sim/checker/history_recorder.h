#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/error_code.h"
#include "common/types.h"
#include "tests/sim/checker/history.h"

namespace quokka::sim {

// Position of an operation in the recorded History.
using OperationId = StrongType<size_t, struct OperationIdTag>;

// Records a History from single-threaded clients: each invoke_* opens an
// operation, exactly one complete_* closes it. A client has at most one
// operation open at a time; breaking that (or completing an operation twice,
// or before its invoke) is a bug of the workload and aborts.
//
// An operation still open when the history is taken is indeterminate: its
// client never learned what happened (it crashed, or the run ended).
class HistoryRecorder {
 public:
  OperationId invoke_put(ClientId client, std::string key, std::string value,
                         uint64_t tick);
  OperationId invoke_get(ClientId client, std::string key, uint64_t tick);
  OperationId invoke_delete(ClientId client, std::string key, uint64_t tick);
  // expected_revision 0 = "the key must not exist".
  OperationId invoke_compare_and_swap(ClientId client, std::string key,
                                      Revision expected_revision,
                                      std::string value, uint64_t tick);

  // A Put, Delete or CompareAndSwap succeeded; revision is the revision it
  // created (0 when not reported).
  void complete_write_ok(OperationId id, uint64_t tick, Revision revision);
  // A Get succeeded; value is nullopt when the key was absent, mod_revision
  // is the key's mod_revision (0 when absent or not reported).
  void complete_get_ok(OperationId id, uint64_t tick,
                       std::optional<std::string> value,
                       Revision mod_revision);
  // A definite failure: the operation did not happen. For a CompareAndSwap,
  // ErrorCode::kCasMismatch means it observed another mod_revision.
  void complete_fail(OperationId id, uint64_t tick, ErrorCode error);
  // An indeterminate outcome: the operation may or may not have happened.
  void complete_info(OperationId id, uint64_t tick, ErrorCode error);

  bool has_open_operation(ClientId client) const;
  size_t open_operation_count() const { return open_by_client_.size(); }

  // The history so far; open operations appear as indeterminate.
  History history() const;

 private:
  OperationId invoke(Operation operation);
  Operation& close(OperationId id, uint64_t tick);

  History operations_;
  // Open operation of each client; ordered so that history() is
  // deterministic.
  std::map<ClientId, OperationId> open_by_client_;
};

}  // namespace quokka::sim
