#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/limits_config.h"

namespace quokka::client {

// How failed attempts are repeated. A retry waits a jittered, exponentially
// growing backoff: the cap for retry n (1-based) is
// min(backoff_max, backoff_base * 2^(n-1)), and the wait is uniform in
// [cap / 2, cap] ("equal jitter"), so many clients that failed together do
// not return together, yet none retries at once in a tight loop.
struct RetryPolicy {
  // Attempts per operation, the first included; 1 disables retries. Every
  // attempt must also fit in the operation's deadline, which is what
  // usually ends the retries: 20 attempts with the default backoff span
  // more than an election (1-2 s by default), so a write started just as
  // the leader dies still lands on its successor.
  uint32_t attempts_max = 20;
  std::chrono::milliseconds backoff_base{25};
  std::chrono::milliseconds backoff_max{1000};
  // How long one attempt waits for an answer before the client gives up on
  // that node and tries the next endpoint (a node that accepts connections
  // but never answers, e.g. one cut off from its peers). Also sent to the
  // node as the request's deadline, shortened to what is left of the
  // operation's deadline.
  std::chrono::milliseconds attempt_timeout{2000};
  // Seed of the jitter generator; unset means "derived from the client
  // id", so separate clients jitter differently, and tests can fix it.
  std::optional<uint64_t> jitter_seed;
};

// The most write sessions one Client runs (ClientOptions::write_sessions).
inline constexpr uint32_t kWriteSessionsMax = 1024;

struct ClientOptions {
  // "host:port" of the cluster's nodes, tried in this order; at least one.
  std::vector<std::string> endpoints;
  // The deadline of an operation that names none, counted from when it is
  // submitted (waiting in the client's queue included).
  std::chrono::milliseconds request_deadline_default{5000};
  // TCP connect plus the Hello handshake must finish within this.
  std::chrono::milliseconds connect_timeout{2000};
  // Operations submitted and not finished, queued writes included. One more
  // is refused at once with OVERLOADED (definite).
  uint32_t outstanding_requests_max = 1024;
  // Writes in flight at once. Each is an exactly-once session of its own
  // (the cluster keeps only the last result of a session, so a session has
  // one write outstanding at a time); session 0 uses the client id, the
  // others ids derived from it. Writes in flight together may be applied in
  // any order; a caller that needs one write after another waits for the
  // first's answer. At most kWriteSessionsMax.
  uint32_t write_sessions = 16;
  // Writes waiting for a free write session. One more is refused at once
  // with OVERLOADED (definite).
  uint32_t queued_writes_max = 256;
  // Value bytes of the writes submitted and not finished (in flight or
  // queued). A write whose value would pass it is refused at once with
  // OVERLOADED (definite, never sent), unless no other value is held: a
  // flood of large writes is then answered at once instead of piling up
  // megabytes in the connections until the deadlines pass. The default is
  // the node's queues.write_values_bytes_max.
  uint64_t write_value_bytes_max = 32ULL * 1024 * 1024;
  RetryPolicy retry;
  // The sizes the cluster enforces ([limits] of the node configuration).
  // The client refuses an over-limit key or value with TOO_LARGE before
  // sending anything, and sizes frames by frame_bytes_max_effective().
  LimitsConfig limits;
  // Free text the node logs for this connection.
  std::string agent = "quokka-client";
  // The client id for exactly-once writes. Unset means a random 64-bit id
  // (std::random_device); set it only in tests.
  std::optional<uint64_t> client_id;
};

// Checks the options: INVALID_ARGUMENT naming the field and what is wrong.
Status validate_client_options(const ClientOptions& options);

}  // namespace quokka::client
