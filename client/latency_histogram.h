#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace quokka::client {

// Latencies in fixed log-scale buckets: bucket i counts latencies up to
// 100 µs * 2^i (100 µs, 200 µs, ... about 52 s), and one more bucket counts
// everything slower. Fixed bounds keep histograms of different clients
// addable and need no configuration; a doubling grid bounds the error of any
// quantile read from it to a factor of two.
class LatencyHistogram {
 public:
  static constexpr size_t kBoundedBuckets = 20;
  static constexpr size_t kBuckets = kBoundedBuckets + 1;
  static constexpr std::chrono::microseconds kFirstBound{100};

  void record(std::chrono::nanoseconds latency);

  // The inclusive upper bound of bucket `index`; the last bucket has none
  // (reported as std::chrono::microseconds::max()).
  static std::chrono::microseconds upper_bound(size_t index);

  uint64_t count() const { return count_; }
  uint64_t bucket_count(size_t index) const { return buckets_[index]; }
  std::chrono::nanoseconds sum() const { return sum_; }
  std::chrono::nanoseconds min() const { return min_; }
  std::chrono::nanoseconds max() const { return max_; }

  // The upper bound of the bucket holding the q-quantile (q in [0, 1]),
  // clamped to the largest latency seen; 0 when empty.
  std::chrono::nanoseconds quantile(double q) const;

  // Adds another histogram's counts to this one.
  void merge(const LatencyHistogram& other);

 private:
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  std::chrono::nanoseconds sum_{0};
  std::chrono::nanoseconds min_{0};
  std::chrono::nanoseconds max_{0};
};

}  // namespace quokka::client
