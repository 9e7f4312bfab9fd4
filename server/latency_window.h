#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace quokka::server {

// Request latencies over a sliding window of whole seconds (monotonic
// time): the Apdex score and exact quantiles, with the true minimum and
// maximum. Memory is bounded: each second keeps at most
// `samples_per_second_max` samples for the quantiles (a deterministic
// reservoir), while counts, minimum and maximum stay exact.
class LatencyWindow {
 public:
  struct Snapshot {
    uint64_t count = 0;
    double sum_seconds = 0;
    // Apdex (satisfied + tolerating / 2) / count; 1 when there was nothing.
    double apdex = 1;
    // Quantiles 0, 0.5, 0.95, 0.99, 1 in seconds (0 when empty).
    std::array<double, 5> quantiles{};
  };
  static constexpr std::array<double, 5> kQuantiles = {0, 0.5, 0.95, 0.99, 1};

  LatencyWindow(uint64_t window_seconds, double apdex_threshold_seconds,
                uint64_t samples_per_second_max = 512);

  // A request answered after `seconds` at monotonic second `now_second`.
  // `satisfying` false (an error) makes it frustrated whatever its latency.
  void record(uint64_t now_second, double seconds, bool satisfying);
  Snapshot snapshot(uint64_t now_second) const;

 private:
  struct Second {
    uint64_t second = UINT64_MAX;
    uint64_t count = 0;
    uint64_t satisfied = 0;
    uint64_t tolerating = 0;
    double sum = 0;
    double min = 0;
    double max = 0;
    std::vector<double> samples;
  };
  Second& slot(uint64_t now_second);

  uint64_t window_seconds_;
  double threshold_;
  uint64_t samples_max_;
  std::vector<Second> seconds_;
};

}  // namespace quokka::server
