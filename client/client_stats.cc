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

}  // namespace quokka::client
