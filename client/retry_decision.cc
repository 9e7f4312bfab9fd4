#include "client/retry_decision.h"

namespace quokka::client {

RetryAction decide_retry(AttemptFailure failure, ErrorCode code,
                         const std::string& leader_hint_address) {
  switch (failure) {
    case AttemptFailure::kConnectionLost:
    case AttemptFailure::kNoAnswer:
      return RetryAction::kRetryNextEndpoint;
    case AttemptFailure::kUnknownNodeError:
      // A newer node's code: this build cannot tell whether retrying helps.
      return RetryAction::kGiveUp;
    case AttemptFailure::kNodeError:
      break;
  }
  switch (code) {
    case ErrorCode::kNotLeader:
      return leader_hint_address.empty() ? RetryAction::kRetryNextEndpoint
                                         : RetryAction::kFollowLeaderHint;
    case ErrorCode::kNoQuorum:
    case ErrorCode::kShuttingDown:
      return RetryAction::kRetryNextEndpoint;
    case ErrorCode::kOverloaded:
    case ErrorCode::kTimeout:
      return RetryAction::kRetrySameEndpoint;
    case ErrorCode::kOk:
    case ErrorCode::kUnsupportedVersion:
    case ErrorCode::kTooLarge:
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kCasMismatch:
    case ErrorCode::kNotFound:
    case ErrorCode::kNoSpace:
    case ErrorCode::kCorrupt:
      return RetryAction::kGiveUp;
  }
  return RetryAction::kGiveUp;
}

}  // namespace quokka::client
