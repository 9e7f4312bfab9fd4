#include "server/latency_window.h"

#include <algorithm>
#include <cmath>

namespace quokka::server {

LatencyWindow::LatencyWindow(uint64_t window_seconds, double apdex_threshold_seconds,
                             uint64_t samples_per_second_max)
    : window_seconds_(std::max<uint64_t>(1, window_seconds)),
      threshold_(apdex_threshold_seconds),
      samples_max_(std::max<uint64_t>(1, samples_per_second_max)),
      seconds_(window_seconds_) {}

LatencyWindow::Second& LatencyWindow::slot(uint64_t now_second) {
  Second& second = seconds_[now_second % window_seconds_];
  if (second.second != now_second) {
    second = Second{};
    second.second = now_second;
  }
  return second;
}

void LatencyWindow::record(uint64_t now_second, double seconds, bool satisfying) {
  Second& second = slot(now_second);
  if (second.count == 0 || seconds < second.min) second.min = seconds;
  if (second.count == 0 || seconds > second.max) second.max = seconds;
  ++second.count;
  second.sum += seconds;
  if (satisfying && seconds <= threshold_) {
    ++second.satisfied;
  } else if (satisfying && seconds <= 4 * threshold_) {
    ++second.tolerating;
  }
  if (second.samples.size() < samples_max_) {
    second.samples.push_back(seconds);
  } else {
    // Reservoir sampling with a deterministic position, so a busy second
    // is represented evenly without unbounded memory.
    uint64_t mixed = second.count * 0x9e3779b97f4a7c15ULL;
    mixed ^= mixed >> 29;
    const uint64_t position = mixed % second.count;
    if (position < samples_max_) second.samples[position] = seconds;
  }
}

LatencyWindow::Snapshot LatencyWindow::snapshot(uint64_t now_second) const {
  Snapshot out;
  std::vector<double> samples;
  uint64_t satisfied = 0;
  uint64_t tolerating = 0;
  double min = 0;
  double max = 0;
  for (const Second& second : seconds_) {
    if (second.count == 0 || second.second > now_second ||
        now_second - second.second >= window_seconds_) {
      continue;
    }
    if (out.count == 0 || second.min < min) min = second.min;
    if (out.count == 0 || second.max > max) max = second.max;
    out.count += second.count;
    out.sum_seconds += second.sum;
    satisfied += second.satisfied;
    tolerating += second.tolerating;
    samples.insert(samples.end(), second.samples.begin(), second.samples.end());
  }
  if (out.count == 0) return out;
  out.apdex = (static_cast<double>(satisfied) + static_cast<double>(tolerating) / 2) /
              static_cast<double>(out.count);
  std::sort(samples.begin(), samples.end());
  for (size_t i = 0; i < kQuantiles.size(); ++i) {
    const double q = kQuantiles[i];
    if (q == 0) {
      out.quantiles[i] = min;
    } else if (q == 1) {
      out.quantiles[i] = max;
    } else {
      const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(samples.size())));
      out.quantiles[i] = samples[std::min(samples.size() - 1, rank == 0 ? 0 : rank - 1)];
    }
  }
  return out;
}

}  // namespace quokka::server
