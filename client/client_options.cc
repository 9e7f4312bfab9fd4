#include "client/client_options.h"

#include <fmt/format.h>

#include "client/endpoint.h"
#include "proto/frame_format.h"

namespace quokka::client {
namespace {

Status invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Status validate_client_options(const ClientOptions& options) {
  if (options.endpoints.empty()) {
    return invalid("endpoints: at least one endpoint is needed");
  }
  for (const std::string& endpoint : options.endpoints) {
    Result<Endpoint> parsed = parse_endpoint(endpoint);
    if (!parsed) return invalid("endpoints: " + parsed.status().message());
  }
  if (options.request_deadline_default.count() <= 0) {
    return invalid("request_deadline_default must be positive");
  }
  if (options.connect_timeout.count() <= 0) {
    return invalid("connect_timeout must be positive");
  }
  if (options.outstanding_requests_max == 0) {
    return invalid("outstanding_requests_max must be at least 1");
  }
  if (options.write_sessions == 0 || options.write_sessions > kWriteSessionsMax) {
    return invalid(fmt::format("write_sessions {} is out of range: allowed 1..{}",
                               options.write_sessions, kWriteSessionsMax));
  }
  const RetryPolicy& retry = options.retry;
  if (retry.attempts_max == 0) {
    return invalid("retry.attempts_max must be at least 1");
  }
  if (retry.backoff_base.count() < 0 || retry.backoff_max < retry.backoff_base) {
    return invalid(fmt::format(
        "retry backoff must satisfy 0 <= backoff_base ({} ms) <= "
        "backoff_max ({} ms)",
        retry.backoff_base.count(), retry.backoff_max.count()));
  }
  if (retry.attempt_timeout.count() <= 0) {
    return invalid("retry.attempt_timeout must be positive");
  }
  const uint64_t frame_bytes = options.limits.frame_bytes_max_effective();
  if (frame_bytes < proto::kFrameBytesMaxFloor ||
      frame_bytes > proto::kFrameBytesMaxCeiling) {
    return invalid(fmt::format(
        "limits: frame limit of {} bytes is outside [{}, {}]", frame_bytes,
        proto::kFrameBytesMaxFloor, proto::kFrameBytesMaxCeiling));
  }
  if (options.limits.key_bytes_max == 0) {
    return invalid("limits.key_bytes_max must be at least 1");
  }
  return Status::ok();
}

}  // namespace quokka::client
