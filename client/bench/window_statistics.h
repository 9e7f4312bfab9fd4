#pragma once

#include <array>
#include <cstdint>

#include "client/bench/latency_recorder.h"
#include "client/client_error.h"
#include "common/error_code.h"

namespace quokka::client::bench {

// What the requests that finished inside the measured window did. One per
// connection, written only by that connection's I/O thread (where every
// callback of its Client runs), merged once every Client is gone.
struct WindowStatistics {
  LatencyRecorder succeeded;
  // Latencies of failed requests, kept apart so that fast refusals do not
  // flatter, nor timeouts swamp, the latency of the answers.
  LatencyRecorder failed;
  std::array<uint64_t, kErrorCodeCount> failed_by_code{};
  // Failed writes that may have taken effect.
  uint64_t indeterminate = 0;
  // Gets that found no value (the key was not preloaded, or was deleted).
  uint64_t missing = 0;

  void record_success(std::chrono::nanoseconds latency) { succeeded.record(latency); }
  void record_failure(std::chrono::nanoseconds latency, const ClientError& error);
  void merge(const WindowStatistics& other);

  uint64_t failed_count() const { return failed.count(); }
};

}  // namespace quokka::client::bench
