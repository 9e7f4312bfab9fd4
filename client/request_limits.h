#pragma once

#include <optional>
#include <string_view>

#include "client/client_error.h"
#include "config/limits_config.h"

namespace quokka::client {

// The client's copy of the node's size checks, made before anything is
// sent, so an over-limit request costs no round trip and leaves no state
// behind. Each returns the definite error, or nothing when the input fits.

// A key of a point operation: not empty, at most key_bytes_max bytes.
// `role` names it in the message ("key", "range start", ...).
std::optional<ClientError> check_key(std::string_view key,
                                     const LimitsConfig& limits,
                                     std::string_view role = "key");

// A bound of a range or a continuation key: may be empty, at most
// key_bytes_max bytes.
std::optional<ClientError> check_key_bound(std::string_view bound,
                                           const LimitsConfig& limits,
                                           std::string_view role);

// A value: at most value_bytes_max bytes.
std::optional<ClientError> check_value(std::string_view value,
                                       const LimitsConfig& limits);

}  // namespace quokka::client
