// The latency window behind quokka_apdex and quokka_request_latency_seconds,
// and the text quokkad serves on /metrics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/latency_window.h"
#include "server/server_metrics.h"

namespace quokka::server {
namespace {

using ::testing::HasSubstr;

TEST(LatencyWindowTest, ApdexCountsSatisfiedFullyAndToleratingHalf) {
  LatencyWindow window(60, 0.020);
  window.record(10, 0.010, true);   // satisfied (<= T)
  window.record(10, 0.050, true);   // tolerating (<= 4T)
  window.record(10, 0.100, true);   // frustrated (> 4T)
  window.record(10, 0.001, false);  // an error is frustrated however fast
  const LatencyWindow::Snapshot snapshot = window.snapshot(10);
  EXPECT_EQ(snapshot.count, 4u);
  EXPECT_DOUBLE_EQ(snapshot.apdex, (1 + 0.5) / 4);
}

TEST(LatencyWindowTest, QuantilesZeroAndOneAreTheTrueExtremes) {
  LatencyWindow window(60, 0.020, /*samples_per_second_max=*/8);
  // More samples than the reservoir keeps: the extremes stay exact.
  for (int i = 1; i <= 1000; ++i) window.record(5, i / 1000.0, true);
  const LatencyWindow::Snapshot snapshot = window.snapshot(5);
  EXPECT_DOUBLE_EQ(snapshot.quantiles[0], 0.001);
  EXPECT_DOUBLE_EQ(snapshot.quantiles[4], 1.0);
  EXPECT_EQ(snapshot.count, 1000u);
}

TEST(LatencyWindowTest, QuantilesOfAFewSamplesAreExact) {
  LatencyWindow window(60, 0.020);
  for (int i = 1; i <= 100; ++i) window.record(1, i / 1000.0, true);
  const LatencyWindow::Snapshot snapshot = window.snapshot(1);
  EXPECT_DOUBLE_EQ(snapshot.quantiles[1], 0.050);  // p50
  EXPECT_DOUBLE_EQ(snapshot.quantiles[2], 0.095);  // p95
  EXPECT_DOUBLE_EQ(snapshot.quantiles[3], 0.099);  // p99
}

TEST(LatencyWindowTest, OldSecondsLeaveTheWindow) {
  LatencyWindow window(3, 0.020);
  window.record(1, 5.0, true);
  window.record(4, 0.001, true);
  const LatencyWindow::Snapshot snapshot = window.snapshot(4);
  EXPECT_EQ(snapshot.count, 1u);
  EXPECT_DOUBLE_EQ(snapshot.quantiles[4], 0.001);
  EXPECT_DOUBLE_EQ(window.snapshot(100).apdex, 1.0);  // nothing left: no complaint
}

TEST(ServerMetricsTest, ScrapeHasTheLatencyProfileApdexAndQueues) {
  MetricsConfig config;
  ServerMetrics metrics(config, "9.9.9");
  metrics.request_started("put");
  metrics.request_finished("put", ErrorCode::kOk, 0.004);
  metrics.set_queue("writes", {3, 10});
  metrics.queue_refused("writes");
  const std::string text = metrics.scrape();
  EXPECT_THAT(text, HasSubstr("quokka_requests_handled_total{code=\"OK\",op=\"put\"} 1"));
  EXPECT_THAT(text, HasSubstr("quokka_request_latency_seconds{op=\"put\",quantile=\"0.99\"} 0.004"));
  EXPECT_THAT(text, HasSubstr("quokka_apdex{op=\"put\"} 1"));
  // The Apdex threshold T (20 ms) and 4T are bucket bounds.
  EXPECT_THAT(text, HasSubstr("quokka_request_duration_seconds_bucket{op=\"put\",le=\"0.02\"} 1"));
  EXPECT_THAT(text, HasSubstr("quokka_request_duration_seconds_bucket{op=\"put\",le=\"0.08\"} 1"));
  EXPECT_THAT(text, HasSubstr("quokka_queue_depth{queue=\"writes\"} 3"));
  EXPECT_THAT(text, HasSubstr("quokka_queue_capacity{queue=\"writes\"} 10"));
  EXPECT_THAT(text, HasSubstr("quokka_queue_rejected_total{queue=\"writes\"} 1"));
  EXPECT_THAT(text, HasSubstr("quokka_requests_in_flight{op=\"put\"} 0"));
  EXPECT_THAT(text, HasSubstr("quokka_build_info{protocol_max=\"1\",protocol_min=\"1\",version=\"9.9.9\"} 1"));
}

}  // namespace
}  // namespace quokka::server
