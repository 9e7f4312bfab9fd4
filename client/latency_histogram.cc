#include "client/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace quokka::client {

std::chrono::microseconds LatencyHistogram::upper_bound(size_t index) {
  if (index >= kBoundedBuckets) return std::chrono::microseconds::max();
  return kFirstBound * (int64_t{1} << index);
}

void LatencyHistogram::record(std::chrono::nanoseconds latency) {
  if (latency.count() < 0) latency = std::chrono::nanoseconds(0);
  size_t index = 0;
  while (index < kBoundedBuckets && latency > upper_bound(index)) ++index;
  ++buckets_[index];
  if (count_ == 0 || latency < min_) min_ = latency;
  if (count_ == 0 || latency > max_) max_ = latency;
  ++count_;
  sum_ += latency;
}

std::chrono::nanoseconds LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  q = std::clamp(q, 0.0, 1.0);
  if (q == 0.0) return min_;
  // The rank of the q-quantile among count_ samples, 1-based.
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t index = 0; index < kBuckets; ++index) {
    seen += buckets_[index];
    if (seen >= rank) {
      if (index >= kBoundedBuckets) return max_;
      return std::min<std::chrono::nanoseconds>(upper_bound(index), max_);
    }
  }
  return max_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t index = 0; index < kBuckets; ++index) {
    buckets_[index] += other.buckets_[index];
  }
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

}  // namespace quokka::client
