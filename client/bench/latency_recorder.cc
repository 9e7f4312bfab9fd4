#include "client/bench/latency_recorder.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "common/assert.h"

namespace quokka::client::bench {
namespace {

constexpr uint64_t kSubBuckets = uint64_t{1} << LatencyRecorder::kSubBucketBits;
// Values below this are their own bucket (exact).
constexpr uint64_t kExactBelow = kSubBuckets * 2;
// The first value past the last bucket.
constexpr uint64_t kTrackedBelow = uint64_t{1} << (LatencyRecorder::kExponentMax + 1);

}  // namespace

size_t LatencyRecorder::bucket_count() {
  return static_cast<size_t>(bucket_of(kTrackedBelow - 1)) + 1;
}

size_t LatencyRecorder::bucket_of(uint64_t nanoseconds) {
  if (nanoseconds < kExactBelow) return static_cast<size_t>(nanoseconds);
  nanoseconds = std::min(nanoseconds, kTrackedBelow - 1);
  // exponent >= kSubBucketBits + 1; the top kSubBucketBits + 1 bits select
  // one of 2^kSubBucketBits buckets of width 2^(exponent - kSubBucketBits).
  const uint32_t exponent = static_cast<uint32_t>(std::bit_width(nanoseconds)) - 1;
  const uint32_t shift = exponent - kSubBucketBits;
  const uint64_t sub = nanoseconds >> shift;  // in [kSubBuckets, 2 * kSubBuckets)
  return static_cast<size_t>(uint64_t{shift} * kSubBuckets + sub);
}

uint64_t LatencyRecorder::bucket_highest(size_t index) {
  if (index < kExactBelow) return index;
  const uint64_t shift = index / kSubBuckets - 1;
  const uint64_t sub = index % kSubBuckets + kSubBuckets;
  return ((sub + 1) << shift) - 1;
}

LatencyRecorder::LatencyRecorder() : buckets_(bucket_count(), 0) {}

void LatencyRecorder::record(std::chrono::nanoseconds latency) {
  const uint64_t value = latency.count() < 0 ? 0 : static_cast<uint64_t>(latency.count());
  ++buckets_[bucket_of(value)];
  if (count_ == 0 || value < min_) min_ = value;
  if (count_ == 0 || value > max_) max_ = value;
  ++count_;
  sum_ += value;
}

void LatencyRecorder::merge(const LatencyRecorder& other) {
  if (other.count_ == 0) return;
  QUOKKA_ASSERT(buckets_.size() == other.buckets_.size(), "recorders of one shape");
  for (size_t index = 0; index < buckets_.size(); ++index) {
    buckets_[index] += other.buckets_[index];
  }
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

std::chrono::nanoseconds LatencyRecorder::mean() const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(static_cast<int64_t>(sum_ / count_));
}

std::chrono::nanoseconds LatencyRecorder::quantile(double q) const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  q = std::clamp(q, 0.0, 1.0);
  if (q == 0.0) return min();
  if (q == 1.0) return max();
  const uint64_t rank = std::clamp<uint64_t>(
      static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))), 1, count_);
  uint64_t seen = 0;
  for (size_t index = 0; index < buckets_.size(); ++index) {
    seen += buckets_[index];
    if (seen >= rank) {
      const uint64_t value = std::clamp(bucket_highest(index), min_, max_);
      return std::chrono::nanoseconds(static_cast<int64_t>(value));
    }
  }
  return max();
}

LatencySummary LatencyRecorder::summary() const {
  return LatencySummary{.count = count_,
                        .p0 = quantile(0.0),
                        .p50 = quantile(0.5),
                        .p95 = quantile(0.95),
                        .p99 = quantile(0.99),
                        .p100 = quantile(1.0),
                        .mean = mean()};
}

}  // namespace quokka::client::bench
