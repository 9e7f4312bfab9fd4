#include "client/client_stats.h"

namespace quokka::client {

std::string_view operation_name(Operation operation) {
  switch (operation) {
    case Operation::kPut: return "put";
    case Operation::kGet: return "get";
    case Operation::kDelete: return "delete";
    case Operation::kCompareAndSwap: return "compare_and_swap";
    case Operation::kRange: return "range";
    case Operation::kStatus: return "status";
  }
  return "unknown";
}

void OperationStats::merge(const OperationStats& other) {
  started += other.started;
  succeeded += other.succeeded;
  failed += other.failed;
  for (size_t i = 0; i < failed_by_code.size(); ++i) {
    failed_by_code[i] += other.failed_by_code[i];
  }
  indeterminate += other.indeterminate;
  retries += other.retries;
  leader_hints_followed += other.leader_hints_followed;
  refused_overloaded += other.refused_overloaded;
  latency.merge(other.latency);
}

void ClientStats::merge(const ClientStats& other) {
  for (size_t i = 0; i < operations.size(); ++i) operations[i].merge(other.operations[i]);
  connections_opened += other.connections_opened;
  connection_failures += other.connection_failures;
}

}  // namespace quokka::client
