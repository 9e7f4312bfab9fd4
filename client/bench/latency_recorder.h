#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace quokka::client::bench {

// The latency figures a run reports. Quantiles use the nearest rank: the
// q-quantile is the smallest recorded latency with at least ceil(q * count)
// latencies at or below it (p0 is the minimum, p100 the maximum).
struct LatencySummary {
  uint64_t count = 0;
  std::chrono::nanoseconds p0{0};
  std::chrono::nanoseconds p50{0};
  std::chrono::nanoseconds p95{0};
  std::chrono::nanoseconds p99{0};
  std::chrono::nanoseconds p100{0};
  std::chrono::nanoseconds mean{0};
};

// Every latency of a run, in an HDR-style log-linear histogram: exact to
// the nanosecond below 256 ns, then 128 equal buckets per power of two, so
// a quantile read from it is at most 1/128 (0.8%) above the exact one and
// never below it. The minimum, maximum, count and sum are exact. Memory is
// fixed (about 40 KiB) whatever the number of requests, which bounds a long
// run; latencies beyond about 19 hours share the last bucket (the maximum
// stays exact).
//
// Not thread-safe: one recorder per thread, merged at the end.
class LatencyRecorder {
 public:
  // Linear buckets per power of two: 2^kSubBucketBits.
  static constexpr uint32_t kSubBucketBits = 7;
  // The largest power of two with buckets of its own: 2^45 ns ~ 9.8 hours,
  // whose buckets reach 2^46 ns.
  static constexpr uint32_t kExponentMax = 45;

  LatencyRecorder();

  void record(std::chrono::nanoseconds latency);
  void merge(const LatencyRecorder& other);

  uint64_t count() const { return count_; }
  std::chrono::nanoseconds min() const { return std::chrono::nanoseconds(min_); }
  std::chrono::nanoseconds max() const { return std::chrono::nanoseconds(max_); }
  // Exact.
  std::chrono::nanoseconds mean() const;

  // q in [0, 1]: the highest latency of the bucket holding the nearest-rank
  // quantile, clamped to [min, max]; q = 0 and q = 1 are exact. 0 when empty.
  std::chrono::nanoseconds quantile(double q) const;

  LatencySummary summary() const;

  // Bucket arithmetic, public for tests.
  static size_t bucket_of(uint64_t nanoseconds);
  // The highest latency that lands in bucket `index`.
  static uint64_t bucket_highest(size_t index);
  static size_t bucket_count();

 private:
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t min_ = 0;
  uint64_t max_ = 0;
  // 2^64 ns is 584 years: no overflow within a run.
  uint64_t sum_ = 0;
};

}  // namespace quokka::client::bench
