#include "client/request_limits.h"

#include <fmt/format.h>

namespace quokka::client {
namespace {

ClientError too_large(std::string_view role, size_t actual,
                      std::string_view limit_name, uint64_t limit) {
  ClientError error;
  error.code = ErrorCode::kTooLarge;
  error.outcome = Outcome::kDefinite;
  error.message = fmt::format(
      "{} of {} bytes exceeds the limit {} of {} bytes (refused by the "
      "client before sending)",
      role, actual, limit_name, limit);
  return error;
}

}  // namespace

std::optional<ClientError> check_key(std::string_view key,
                                     const LimitsConfig& limits,
                                     std::string_view role) {
  if (key.empty()) {
    ClientError error;
    error.code = ErrorCode::kInvalidArgument;
    error.outcome = Outcome::kDefinite;
    error.message = fmt::format("{} is empty", role);
    return error;
  }
  return check_key_bound(key, limits, role);
}

std::optional<ClientError> check_key_bound(std::string_view bound,
                                           const LimitsConfig& limits,
                                           std::string_view role) {
  if (bound.size() > limits.key_bytes_max) {
    return too_large(role, bound.size(), "key_bytes_max", limits.key_bytes_max);
  }
  return std::nullopt;
}

std::optional<ClientError> check_value(std::string_view value,
                                       const LimitsConfig& limits) {
  if (value.size() > limits.value_bytes_max) {
    return too_large("value", value.size(), "value_bytes_max",
                     limits.value_bytes_max);
  }
  return std::nullopt;
}

}  // namespace quokka::client
