// quokka-bench's latency statistics: nearest-rank quantiles from every
// recorded latency, exact extremes, bounded relative error.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "client/bench/latency_recorder.h"
#include "common/deterministic_random.h"

namespace quokka::client::bench {
namespace {

using std::chrono::nanoseconds;

// The nearest-rank q-quantile of `sorted` (ascending, not empty).
uint64_t exact_quantile(const std::vector<uint64_t>& sorted, double q) {
  if (q == 0.0) return sorted.front();
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

TEST(LatencyRecorderTest, AnEmptyRecorderReportsZeros) {
  const LatencyRecorder recorder;
  const LatencySummary summary = recorder.summary();
  EXPECT_EQ(summary.count, 0u);
  EXPECT_EQ(summary.p0, nanoseconds(0));
  EXPECT_EQ(summary.p50, nanoseconds(0));
  EXPECT_EQ(summary.p100, nanoseconds(0));
  EXPECT_EQ(summary.mean, nanoseconds(0));
}

TEST(LatencyRecorderTest, OneLatencyIsEveryQuantile) {
  LatencyRecorder recorder;
  recorder.record(nanoseconds(1'234'567));
  const LatencySummary summary = recorder.summary();
  EXPECT_EQ(summary.count, 1u);
  EXPECT_EQ(summary.p0, nanoseconds(1'234'567));
  EXPECT_EQ(summary.p50, nanoseconds(1'234'567));
  EXPECT_EQ(summary.p99, nanoseconds(1'234'567));
  EXPECT_EQ(summary.p100, nanoseconds(1'234'567));
  EXPECT_EQ(summary.mean, nanoseconds(1'234'567));
}

TEST(LatencyRecorderTest, SmallLatenciesAreExactWithNearestRankQuantiles) {
  LatencyRecorder recorder;
  // 1..100 ns in a scrambled order.
  for (uint64_t i = 0; i < 100; ++i) recorder.record(nanoseconds((i * 37) % 100 + 1));
  EXPECT_EQ(recorder.quantile(0.0), nanoseconds(1));
  EXPECT_EQ(recorder.quantile(0.5), nanoseconds(50));
  EXPECT_EQ(recorder.quantile(0.95), nanoseconds(95));
  EXPECT_EQ(recorder.quantile(0.99), nanoseconds(99));
  EXPECT_EQ(recorder.quantile(1.0), nanoseconds(100));
  EXPECT_EQ(recorder.quantile(0.001), nanoseconds(1)) << "rank is at least 1";
  EXPECT_EQ(recorder.mean(), nanoseconds(50)) << "5050 / 100, truncated";
}

TEST(LatencyRecorderTest, NegativeLatenciesCountAsZero) {
  LatencyRecorder recorder;
  recorder.record(nanoseconds(-5));
  EXPECT_EQ(recorder.min(), nanoseconds(0));
  EXPECT_EQ(recorder.count(), 1u);
}

TEST(LatencyRecorderTest, BucketsAreContiguousAndNeverWiderThanOneIn128) {
  uint64_t previous_highest = 0;
  for (size_t index = 1; index < LatencyRecorder::bucket_count(); ++index) {
    const uint64_t lowest = previous_highest + 1;
    const uint64_t highest = LatencyRecorder::bucket_highest(index);
    ASSERT_EQ(LatencyRecorder::bucket_of(lowest), index) << "lowest of bucket " << index;
    ASSERT_EQ(LatencyRecorder::bucket_of(highest), index) << "highest of bucket " << index;
    ASSERT_LE((highest - lowest) * 128, lowest) << "bucket " << index;
    previous_highest = highest;
  }
  // Everything beyond the last bucket's reach lands in it.
  EXPECT_EQ(LatencyRecorder::bucket_of(UINT64_MAX), LatencyRecorder::bucket_count() - 1);
}

TEST(LatencyRecorderTest, QuantilesOfSpreadLatenciesAreWithinOnePercentAboveTheExactOnes) {
  DeterministicRandom random(2026);
  LatencyRecorder recorder;
  std::vector<uint64_t> latencies;
  for (int i = 0; i < 100'000; ++i) {
    // Log-uniform from 1 µs to about 1 s, the range of a real run.
    const double exponent = 3.0 + 6.0 * static_cast<double>(random.below(1'000'000)) / 1e6;
    const auto latency = static_cast<uint64_t>(std::pow(10.0, exponent));
    latencies.push_back(latency);
    recorder.record(nanoseconds(latency));
  }
  std::sort(latencies.begin(), latencies.end());
  EXPECT_EQ(recorder.min(), nanoseconds(latencies.front()));
  EXPECT_EQ(recorder.max(), nanoseconds(latencies.back()));
  for (double q : {0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    const uint64_t exact = exact_quantile(latencies, q);
    const auto reported = static_cast<uint64_t>(recorder.quantile(q).count());
    EXPECT_GE(reported, exact) << "q=" << q;
    EXPECT_LE(static_cast<double>(reported - exact), static_cast<double>(exact) / 128.0)
        << "q=" << q;
  }
  uint64_t sum = 0;
  for (uint64_t latency : latencies) sum += latency;
  EXPECT_EQ(recorder.mean(), nanoseconds(sum / latencies.size()));
}

TEST(LatencyRecorderTest, AnOutlierIsReportedExactlyAsTheMaximum) {
  LatencyRecorder recorder;
  for (int i = 0; i < 999; ++i) recorder.record(std::chrono::milliseconds(1));
  // Beyond the last bucket: counted there, but the maximum stays exact.
  const nanoseconds outlier = std::chrono::hours(30) + nanoseconds(7);
  recorder.record(outlier);
  // The highest latency of 1 ms's bucket, within 1/128 above it.
  EXPECT_GE(recorder.quantile(0.99), std::chrono::milliseconds(1));
  EXPECT_LE(recorder.quantile(0.99), nanoseconds(1'000'000 + 1'000'000 / 128));
  EXPECT_EQ(recorder.quantile(1.0), outlier);
  EXPECT_EQ(recorder.summary().p100, outlier);
}

TEST(LatencyRecorderTest, MergingEqualsRecordingEverythingInOne) {
  LatencyRecorder first;
  LatencyRecorder second;
  LatencyRecorder both;
  DeterministicRandom random(7);
  for (int i = 0; i < 10'000; ++i) {
    const nanoseconds latency(random.between(1'000, 50'000'000));
    (i % 3 == 0 ? first : second).record(latency);
    both.record(latency);
  }
  LatencyRecorder merged;
  merged.merge(first);
  merged.merge(LatencyRecorder());
  merged.merge(second);
  EXPECT_EQ(merged.count(), both.count());
  EXPECT_EQ(merged.min(), both.min());
  EXPECT_EQ(merged.max(), both.max());
  EXPECT_EQ(merged.mean(), both.mean());
  for (double q : {0.0, 0.5, 0.95, 0.99, 1.0}) {
    EXPECT_EQ(merged.quantile(q), both.quantile(q)) << "q=" << q;
  }
}

}  // namespace
}  // namespace quokka::client::bench
