#include "proto/error_code_conversion.h"

namespace quokka::proto {
namespace {

constexpr bool same_value(proto::ErrorCode wire, quokka::ErrorCode code) {
  return static_cast<int>(wire) == static_cast<int>(code);
}

// The two enums must agree value by value, and neither may have a code the
// other lacks; a mismatch here is a compile error, not a wrong answer on
// the wire.
static_assert(same_value(proto::OK, quokka::ErrorCode::kOk));
static_assert(same_value(proto::NOT_LEADER, quokka::ErrorCode::kNotLeader));
static_assert(same_value(proto::OVERLOADED, quokka::ErrorCode::kOverloaded));
static_assert(same_value(proto::UNSUPPORTED_VERSION,
                         quokka::ErrorCode::kUnsupportedVersion));
static_assert(same_value(proto::TOO_LARGE, quokka::ErrorCode::kTooLarge));
static_assert(same_value(proto::INVALID_ARGUMENT,
                         quokka::ErrorCode::kInvalidArgument));
static_assert(same_value(proto::NO_QUORUM, quokka::ErrorCode::kNoQuorum));
static_assert(same_value(proto::TIMEOUT, quokka::ErrorCode::kTimeout));
static_assert(same_value(proto::CAS_MISMATCH, quokka::ErrorCode::kCasMismatch));
static_assert(same_value(proto::NOT_FOUND, quokka::ErrorCode::kNotFound));
static_assert(same_value(proto::NO_SPACE, quokka::ErrorCode::kNoSpace));
static_assert(same_value(proto::CORRUPT, quokka::ErrorCode::kCorrupt));
static_assert(same_value(proto::SHUTTING_DOWN,
                         quokka::ErrorCode::kShuttingDown));
// Both enums are dense from 0, so equal sizes mean no code is missing.
static_assert(proto::ErrorCode_MIN == 0);
static_assert(proto::ErrorCode_ARRAYSIZE == quokka::kErrorCodeCount);

}  // namespace

proto::ErrorCode to_wire_error_code(quokka::ErrorCode code) {
  return static_cast<proto::ErrorCode>(code);
}

std::optional<quokka::ErrorCode> from_wire_error_code(proto::ErrorCode code) {
  if (!proto::ErrorCode_IsValid(code)) return std::nullopt;
  return static_cast<quokka::ErrorCode>(code);
}

}  // namespace quokka::proto
