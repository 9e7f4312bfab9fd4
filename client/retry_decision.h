#pragma once

#include <cstdint>
#include <string>

#include "common/error_code.h"

namespace quokka::client {

// What one attempt's failure tells the client to do next.
enum class RetryAction : uint8_t {
  // The answer is final: report it.
  kGiveUp,
  // The node is right but busy (OVERLOADED) or ran out of time: retry the
  // same endpoint after a backoff.
  kRetrySameEndpoint,
  // This node cannot serve it (NOT_LEADER without hint, NO_QUORUM,
  // SHUTTING_DOWN, no connection, no answer): retry the next endpoint after
  // a backoff.
  kRetryNextEndpoint,
  // NOT_LEADER naming the leader's address: retry there.
  kFollowLeaderHint,
};

// How an attempt ended without a usable answer.
enum class AttemptFailure : uint8_t {
  // The node answered with an error.
  kNodeError,
  // The node answered with an error code this build does not know.
  kUnknownNodeError,
  // No connection, or it broke before the answer came.
  kConnectionLost,
  // The connection stayed up but no answer came within the attempt timeout.
  kNoAnswer,
};

// The retry rule for reads and writes alike: writes may be retried because
// every retry repeats the write's (client id, sequence), which the node's
// exactly-once session answers from its record instead of applying twice.
RetryAction decide_retry(AttemptFailure failure, ErrorCode code,
                         const std::string& leader_hint_address);

}  // namespace quokka::client
