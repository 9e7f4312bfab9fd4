#include "tests/sim/checker/history.h"

#include <fmt/format.h>

namespace quokka::sim {

std::string_view operation_kind_name(OperationKind kind) {
  switch (kind) {
    case OperationKind::kPut:
      return "put";
    case OperationKind::kGet:
      return "get";
    case OperationKind::kDelete:
      return "delete";
    case OperationKind::kCompareAndSwap:
      return "cas";
  }
  return "unknown";
}

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kFail:
      return "fail";
    case Outcome::kInfo:
      return "info";
  }
  return "unknown";
}

std::string quote_value(std::string_view value) {
  constexpr size_t kShownCharactersMax = 48;
  std::string out = "\"";
  for (const char c : value) {
    if (out.size() >= kShownCharactersMax) {
      out += "...";
      break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

namespace {

std::string describe_input(const Operation& operation) {
  switch (operation.kind) {
    case OperationKind::kPut:
      return fmt::format("put {} = {}", quote_value(operation.key),
                         quote_value(operation.value));
    case OperationKind::kGet:
      return fmt::format("get {}", quote_value(operation.key));
    case OperationKind::kDelete:
      return fmt::format("delete {}", quote_value(operation.key));
    case OperationKind::kCompareAndSwap:
      return fmt::format("cas {} if rev {} then = {}",
                         quote_value(operation.key),
                         operation.expected_revision.value(),
                         quote_value(operation.value));
  }
  return "?";
}

std::string describe_outcome(const Operation& operation) {
  switch (operation.outcome) {
    case Outcome::kOk: {
      std::string out = "ok";
      if (operation.kind == OperationKind::kGet) {
        out += operation.read_value.has_value()
                   ? " -> " + quote_value(*operation.read_value)
                   : std::string(" -> absent");
      }
      if (operation.revision.value() != 0) {
        out += fmt::format(" rev {}", operation.revision.value());
      }
      return out;
    }
    case Outcome::kFail:
      return fmt::format("fail {}", error_code_name(operation.error));
    case Outcome::kInfo:
      if (operation.complete_tick == kNeverTick) return "info (never completed)";
      return fmt::format("info {} (client gave up at {})",
                         error_code_name(operation.error),
                         operation.complete_tick);
  }
  return "?";
}

}  // namespace

std::string describe_operation(size_t index, const Operation& operation) {
  const std::string interval =
      operation.outcome == Outcome::kInfo
          ? fmt::format("[{}, inf)", operation.invoke_tick)
          : fmt::format("[{}, {}]", operation.invoke_tick,
                        operation.complete_tick);
  return fmt::format("#{} client {} {} {} {}", index,
                     operation.client.value(), describe_input(operation),
                     interval, describe_outcome(operation));
}

}  // namespace quokka::sim
