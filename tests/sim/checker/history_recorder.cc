#include "tests/sim/checker/history_recorder.h"

#include <utility>

#include "common/assert.h"

namespace quokka::sim {

OperationId HistoryRecorder::invoke(Operation operation) {
  QUOKKA_ASSERT(!has_open_operation(operation.client),
                "client {} invoked an operation while #{} is still open; "
                "clients are single-threaded",
                operation.client.value(),
                open_by_client_.at(operation.client).value());
  operation.outcome = Outcome::kInfo;
  operation.complete_tick = kNeverTick;
  const OperationId id(operations_.size());
  open_by_client_.emplace(operation.client, id);
  operations_.push_back(std::move(operation));
  return id;
}

OperationId HistoryRecorder::invoke_put(ClientId client, std::string key,
                                        std::string value, uint64_t tick) {
  Operation operation;
  operation.client = client;
  operation.kind = OperationKind::kPut;
  operation.key = std::move(key);
  operation.value = std::move(value);
  operation.invoke_tick = tick;
  return invoke(std::move(operation));
}

OperationId HistoryRecorder::invoke_get(ClientId client, std::string key,
                                        uint64_t tick) {
  Operation operation;
  operation.client = client;
  operation.kind = OperationKind::kGet;
  operation.key = std::move(key);
  operation.invoke_tick = tick;
  return invoke(std::move(operation));
}

OperationId HistoryRecorder::invoke_delete(ClientId client, std::string key,
                                           uint64_t tick) {
  Operation operation;
  operation.client = client;
  operation.kind = OperationKind::kDelete;
  operation.key = std::move(key);
  operation.invoke_tick = tick;
  return invoke(std::move(operation));
}

OperationId HistoryRecorder::invoke_compare_and_swap(ClientId client,
                                                     std::string key,
                                                     Revision expected_revision,
                                                     std::string value,
                                                     uint64_t tick) {
  Operation operation;
  operation.client = client;
  operation.kind = OperationKind::kCompareAndSwap;
  operation.key = std::move(key);
  operation.value = std::move(value);
  operation.expected_revision = expected_revision;
  operation.invoke_tick = tick;
  return invoke(std::move(operation));
}

Operation& HistoryRecorder::close(OperationId id, uint64_t tick) {
  QUOKKA_ASSERT(id.value() < operations_.size(), "no operation #{}",
                id.value());
  Operation& operation = operations_[id.value()];
  const auto open = open_by_client_.find(operation.client);
  QUOKKA_ASSERT(open != open_by_client_.end(),
                "operation #{} completed twice", id.value());
  QUOKKA_ASSERT(open->second == id, "operation #{} completed twice",
                id.value());
  QUOKKA_ASSERT(tick >= operation.invoke_tick,
                "operation #{} completes at tick {} before its invoke at {}",
                id.value(), tick, operation.invoke_tick);
  open_by_client_.erase(open);
  operation.complete_tick = tick;
  return operation;
}

void HistoryRecorder::complete_write_ok(OperationId id, uint64_t tick,
                                        Revision revision) {
  Operation& operation = close(id, tick);
  QUOKKA_ASSERT(operation.kind != OperationKind::kGet,
                "operation #{} is a get; use complete_get_ok", id.value());
  operation.outcome = Outcome::kOk;
  operation.error = ErrorCode::kOk;
  operation.revision = revision;
}

void HistoryRecorder::complete_get_ok(OperationId id, uint64_t tick,
                                      std::optional<std::string> value,
                                      Revision mod_revision) {
  Operation& operation = close(id, tick);
  QUOKKA_ASSERT(operation.kind == OperationKind::kGet,
                "operation #{} is not a get", id.value());
  operation.outcome = Outcome::kOk;
  operation.error = ErrorCode::kOk;
  operation.read_value = std::move(value);
  operation.revision = mod_revision;
}

void HistoryRecorder::complete_fail(OperationId id, uint64_t tick,
                                    ErrorCode error) {
  QUOKKA_ASSERT(error != ErrorCode::kOk,
                "a failure of operation #{} needs its error code",
                id.value());
  Operation& operation = close(id, tick);
  QUOKKA_ASSERT(error != ErrorCode::kCasMismatch ||
                    operation.kind == OperationKind::kCompareAndSwap,
                "operation #{} is not a compare-and-swap but failed with "
                "CAS_MISMATCH",
                id.value());
  operation.outcome = Outcome::kFail;
  operation.error = error;
}

void HistoryRecorder::complete_info(OperationId id, uint64_t tick,
                                    ErrorCode error) {
  Operation& operation = close(id, tick);
  operation.outcome = Outcome::kInfo;
  // complete_tick keeps when the client gave up, for reports; the checker
  // ignores it because the operation may still take effect later.
  operation.error = error;
}

bool HistoryRecorder::has_open_operation(ClientId client) const {
  return open_by_client_.contains(client);
}

History HistoryRecorder::history() const { return operations_; }

}  // namespace quokka::sim
