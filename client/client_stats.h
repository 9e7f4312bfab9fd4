#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "client/latency_histogram.h"
#include "common/error_code.h"

namespace quokka::client {

// The client's operations, for statistics.
enum class Operation : uint8_t {
  kPut,
  kGet,
  kDelete,
  kCompareAndSwap,
  kRange,
  kStatus,
};
inline constexpr size_t kOperationCount = 6;

// "put", "get", "delete", "compare_and_swap", "range", "status".
std::string_view operation_name(Operation operation);

// What one kind of operation did, as the application saw it: latency from
// submission to the callback, whatever the outcome.
struct OperationStats {
  uint64_t started = 0;
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  // Failures by their final code, indexed by ErrorCode's value.
  std::array<uint64_t, kErrorCodeCount> failed_by_code{};
  // Failures that may have taken effect.
  uint64_t indeterminate = 0;
  // Attempts beyond the first, over all operations of this kind.
  uint64_t retries = 0;
  // Retries that followed a NOT_LEADER hint to another node.
  uint64_t leader_hints_followed = 0;
  // Refused at once because the client's queue was full (also counted in
  // failed_by_code[OVERLOADED]).
  uint64_t refused_overloaded = 0;
  LatencyHistogram latency;

  uint64_t failed_with(ErrorCode code) const {
    return failed_by_code[static_cast<size_t>(code)];
  }
  // Adds another client's figures for the same operation.
  void merge(const OperationStats& other);
};

struct ClientStats {
  std::array<OperationStats, kOperationCount> operations{};
  // Connections opened (TCP connect and handshake done), and attempts that
  // failed before a connection was ready.
  uint64_t connections_opened = 0;
  uint64_t connection_failures = 0;

  const OperationStats& of(Operation operation) const {
    return operations[static_cast<size_t>(operation)];
  }
  OperationStats& of(Operation operation) {
    return operations[static_cast<size_t>(operation)];
  }
  // Adds another client's statistics (an application with several Clients).
  void merge(const ClientStats& other);
};

}  // namespace quokka::client
