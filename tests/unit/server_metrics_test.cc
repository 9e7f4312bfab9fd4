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

TEST(ServerMetricsTest, EveryQueueHasDepthCapacityRefusalsAndWaitFromTheStart) {
  ServerMetrics metrics(MetricsConfig{}, "1");
  metrics.set_queue("read_index", {2, 4096});
  const std::string text = metrics.scrape();
  EXPECT_THAT(text, HasSubstr("quokka_queue_depth{queue=\"read_index\"} 2"));
  EXPECT_THAT(text, HasSubstr("quokka_queue_capacity{queue=\"read_index\"} 4096"));
  EXPECT_THAT(text, HasSubstr("quokka_queue_rejected_total{queue=\"read_index\"} 0"));
  EXPECT_THAT(text, HasSubstr("quokka_queue_wait_seconds_count{queue=\"read_index\"} 0"));
  // The storage thread's queue is there before anything was written.
  EXPECT_THAT(text, HasSubstr("quokka_queue_wait_seconds_count{queue=\"storage_writes\"} 0"));
}

TEST(ServerMetricsTest, QueueWaitsLandInTheirBuckets) {
  ServerMetrics metrics(MetricsConfig{}, "1");
  metrics.queue_waited("writes", 0.003);
  metrics.queue_waited("writes", 0.5);
  metrics.storage_write_waited(0.0002);
  const std::string text = metrics.scrape();
  // 0.1 ms doubling: 0.0032 is the first bound above 3 ms.
  EXPECT_THAT(text,
              HasSubstr("quokka_queue_wait_seconds_bucket{queue=\"writes\",le=\"0.0032\"} 1"));
  EXPECT_THAT(text, HasSubstr("quokka_queue_wait_seconds_count{queue=\"writes\"} 2"));
  EXPECT_THAT(text, HasSubstr("quokka_queue_wait_seconds_count{queue=\"storage_writes\"} 1"));
}

TEST(ServerMetricsTest, LogSyncIsItsOwnHistogramBesideTheGroupCommit) {
  ServerMetrics metrics(MetricsConfig{}, "1");
  metrics.storage_committed(0.004, 0.003);
  metrics.storage_committed(0.001, 0);  // storage.sync = false: no sync to time
  const std::string text = metrics.scrape();
  EXPECT_THAT(text, HasSubstr("quokka_storage_commit_duration_seconds_count 2"));
  EXPECT_THAT(text, HasSubstr("quokka_log_sync_duration_seconds_count 1"));
  EXPECT_THAT(text, HasSubstr("quokka_log_sync_duration_seconds_bucket{le=\"0.0025\"} 0"));
  EXPECT_THAT(text, HasSubstr("quokka_log_sync_duration_seconds_bucket{le=\"0.005\"} 1"));
  EXPECT_THAT(text, HasSubstr("quokka_storage_group_commits_total 2"));
}

TEST(ServerMetricsTest, RaftProposalsApplyLagAndReadIndex) {
  ServerMetrics metrics(MetricsConfig{}, "1");
  RaftReading raft;
  raft.commit = 120;
  raft.applied = 100;
  raft.proposals_pending = 7;
  raft.read_index_rounds = 5;
  metrics.set_raft(raft);
  raft.read_index_rounds = 9;
  metrics.set_raft(raft);
  metrics.proposal_committed();
  metrics.proposal_committed();
  metrics.proposal_failed();
  metrics.read_index_failed();
  const std::string text = metrics.scrape();
  EXPECT_THAT(text, HasSubstr("quokka_raft_apply_lag_entries 20"));
  EXPECT_THAT(text, HasSubstr("quokka_raft_proposals_pending 7"));
  EXPECT_THAT(text, HasSubstr("quokka_raft_proposals_committed_total 2"));
  EXPECT_THAT(text, HasSubstr("quokka_raft_proposals_failed_total 1"));
  EXPECT_THAT(text, HasSubstr("quokka_read_index_rounds_total 9"));
  EXPECT_THAT(text, HasSubstr("quokka_read_index_failed_total 1"));
}

TEST(ServerMetricsTest, PeerTotalsFollowTheLinkAndRoundTripsArePerPeer) {
  ServerMetrics metrics(MetricsConfig{}, "1");
  metrics.peer_state(2, PeerReading{true, true, 1, 1000, 2000, 3});
  metrics.peer_state(2, PeerReading{true, false, 4, 1500, 2600, 3});
  metrics.peer_round_trip(2, 0.0015);
  const std::string text = metrics.scrape();
  EXPECT_THAT(text, HasSubstr("quokka_peer_connected{peer=\"2\"} 1"));
  EXPECT_THAT(text, HasSubstr("quokka_peer_active{peer=\"2\"} 0"));
  EXPECT_THAT(text, HasSubstr("quokka_peer_messages_dropped_total{peer=\"2\"} 4"));
  EXPECT_THAT(text, HasSubstr("quokka_peer_sent_bytes_total{peer=\"2\"} 1500"));
  EXPECT_THAT(text, HasSubstr("quokka_peer_received_bytes_total{peer=\"2\"} 2600"));
  EXPECT_THAT(text, HasSubstr("quokka_peer_send_failures_total{peer=\"2\"} 3"));
  EXPECT_THAT(text, HasSubstr(
                        "quokka_peer_round_trip_time_seconds_bucket{peer=\"2\",le=\"0.0016\"} 1"));
}

TEST(ServerMetricsTest, StorageGaugesAndWriteStallTime) {
  ServerMetrics metrics(MetricsConfig{}, "1");
  StorageStats stats;
  stats.keys = 10;
  stats.blobs = 8;
  stats.blob_bytes = 4096;
  stats.blobs_unreferenced = 2;
  stats.data_bytes = 10000;
  stats.write_stall_seconds = 1.5;
  stats.lookups_filtered = 42;
  stats.value_garbage_bytes = 777;
  stats.value_collection_on = true;
  metrics.set_storage(stats, 1 << 20);
  const std::string text = metrics.scrape();
  EXPECT_THAT(text, HasSubstr("quokka_keys 10"));
  EXPECT_THAT(text, HasSubstr("quokka_blobs 8"));
  EXPECT_THAT(text, HasSubstr("quokka_blob_bytes 4096"));
  EXPECT_THAT(text, HasSubstr("quokka_blob_gc_pending 2"));
  EXPECT_THAT(text, HasSubstr("quokka_storage_data_bytes 10000"));
  EXPECT_THAT(text, HasSubstr("quokka_storage_quota_bytes 1048576"));
  EXPECT_THAT(text, HasSubstr("quokka_storage_write_stall_seconds_total 1.5"));
  EXPECT_THAT(text, HasSubstr("quokka_storage_lookups_filtered_total 42"));
  EXPECT_THAT(text, HasSubstr("quokka_storage_value_garbage_bytes 777"));
  EXPECT_THAT(text, HasSubstr("quokka_storage_value_collection_active 1"));
}

TEST(ServerMetricsTest, ScrapeHasTheProcessMetrics) {
  ServerMetrics metrics(MetricsConfig{}, "1");
  const std::string text = metrics.scrape();
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                           "process_virtual_memory_bytes ", "process_open_fds ",
                           "process_start_time_seconds "}) {
    EXPECT_THAT(text, HasSubstr(std::string("\n") + name)) << name;
  }
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter"));
}

TEST(ServerMetricsTest, DefaultApdexBucketsArePerOperation) {
  ServerMetrics metrics(MetricsConfig{}, "1");
  metrics.request_finished("get", ErrorCode::kOk, 0.001);
  metrics.request_finished("range", ErrorCode::kOk, 0.001);
  const std::string text = metrics.scrape();
  EXPECT_THAT(text, HasSubstr("quokka_request_duration_seconds_bucket{op=\"get\",le=\"0.04\"} 1"));
  EXPECT_THAT(text, HasSubstr("quokka_request_duration_seconds_bucket{op=\"range\",le=\"0.2\"} 1"));
}

}  // namespace
}  // namespace quokka::server
