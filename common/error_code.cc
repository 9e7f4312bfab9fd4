#include "common/error_code.h"

namespace quokka {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "OK";
    case ErrorCode::kNotLeader: return "NOT_LEADER";
    case ErrorCode::kOverloaded: return "OVERLOADED";
    case ErrorCode::kUnsupportedVersion: return "UNSUPPORTED_VERSION";
    case ErrorCode::kTooLarge: return "TOO_LARGE";
    case ErrorCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case ErrorCode::kNoQuorum: return "NO_QUORUM";
    case ErrorCode::kTimeout: return "TIMEOUT";
    case ErrorCode::kCasMismatch: return "CAS_MISMATCH";
    case ErrorCode::kNotFound: return "NOT_FOUND";
    case ErrorCode::kNoSpace: return "NO_SPACE";
    case ErrorCode::kCorrupt: return "CORRUPT";
    case ErrorCode::kShuttingDown: return "SHUTTING_DOWN";
  }
  return "UNKNOWN";
}

}  // namespace quokka
