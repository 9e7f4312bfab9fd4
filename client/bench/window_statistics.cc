#include "client/bench/window_statistics.h"

namespace quokka::client::bench {

void WindowStatistics::record_failure(std::chrono::nanoseconds latency,
                                      const ClientError& error) {
  failed.record(latency);
  ++failed_by_code[static_cast<size_t>(error.code)];
  if (!error.definite()) ++indeterminate;
}

void WindowStatistics::merge(const WindowStatistics& other) {
  succeeded.merge(other.succeeded);
  failed.merge(other.failed);
  for (size_t code = 0; code < failed_by_code.size(); ++code) {
    failed_by_code[code] += other.failed_by_code[code];
  }
  indeterminate += other.indeterminate;
  missing += other.missing;
}

}  // namespace quokka::client::bench
