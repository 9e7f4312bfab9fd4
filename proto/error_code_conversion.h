#pragma once

#include <optional>

#include "common/error_code.h"
#include "proto/errors.pb.h"

namespace quokka::proto {

// quokka::ErrorCode and the wire's quokka.proto.ErrorCode have the same
// values (checked at compile time in error_code_conversion.cc), so these are
// plain casts; they exist so that no caller casts by hand.

proto::ErrorCode to_wire_error_code(quokka::ErrorCode code);

// The code for a value read off the wire. proto3 enums are open, so a peer
// of a newer version can send a value this build does not know: that gives
// std::nullopt, and the caller decides (the client treats it as an
// indeterminate failure).
std::optional<quokka::ErrorCode> from_wire_error_code(proto::ErrorCode code);

}  // namespace quokka::proto
