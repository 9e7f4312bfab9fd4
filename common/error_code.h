#pragma once

#include <cstdint>
#include <string_view>

namespace quokka {

// The closed set of errors of quokka. The numeric values are the wire values
// of proto/errors.proto's ErrorCode; a static_assert in the proto library
// keeps the two in step.
enum class ErrorCode : uint8_t {
  kOk = 0,
  kNotLeader = 1,
  kOverloaded = 2,
  kUnsupportedVersion = 3,
  kTooLarge = 4,
  kInvalidArgument = 5,
  kNoQuorum = 6,
  kTimeout = 7,
  kCasMismatch = 8,
  kNotFound = 9,
  kNoSpace = 10,
  kCorrupt = 11,
  kShuttingDown = 12,
};

inline constexpr int kErrorCodeCount = 13;

// The protocol's name for a code, e.g. "NOT_LEADER".
std::string_view error_code_name(ErrorCode code);

}  // namespace quokka
