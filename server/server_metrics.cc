#include "server/server_metrics.h"

#include <algorithm>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include "server/process_metrics.h"

namespace quokka::server {
namespace {

template <typename T>
prometheus::Family<T>& family(prometheus::Registry& registry, const std::string& name,
                              const std::string& help) {
  if constexpr (std::is_same_v<T, prometheus::Counter>) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
  } else if constexpr (std::is_same_v<T, prometheus::Gauge>) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
  } else {
    return prometheus::BuildHistogram().Name(name).Help(help).Register(registry);
  }
}

// Latency buckets in seconds: log-spaced from 0.5 ms to 10 s, plus the
// Apdex threshold T and 4T so the recording rules can count exactly.
prometheus::Histogram::BucketBoundaries request_buckets(double threshold) {
  std::vector<double> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  bounds.push_back(threshold);
  bounds.push_back(4 * threshold);
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return bounds;
}

// etcd's buckets (research/users.md §4): 0.1 ms doubling to 52 s for queue
// waits, to 3.3 s for peer round trips; 0.1 ms to 2.5 s for the disk.
prometheus::Histogram::BucketBoundaries exponential_buckets(double first, int count) {
  prometheus::Histogram::BucketBoundaries bounds;
  for (int i = 0; i < count; ++i) bounds.push_back(first * static_cast<double>(1ULL << i));
  return bounds;
}
const prometheus::Histogram::BucketBoundaries kDiskBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

// prometheus-cpp counters only count up; a total read from elsewhere (the
// core, a peer link, RocksDB) moves the counter to it.
void advance_to(prometheus::Counter& counter, double total) {
  const double now = counter.Value();
  if (total > now) counter.Increment(total - now);
}

std::optional<ApdexOperation> apdex_operation(std::string_view op) {
  if (op == "put") return ApdexOperation::kPut;
  if (op == "get") return ApdexOperation::kGet;
  if (op == "delete") return ApdexOperation::kDelete;
  if (op == "cas") return ApdexOperation::kCas;
  if (op == "range") return ApdexOperation::kRange;
  return std::nullopt;
}

// Answers that are the service working as asked count by their latency: a
// missing key, a failed compare, a redirect to the leader. Everything else
// (overload, timeouts, no quorum) is frustrating whatever its latency.
bool satisfying(ErrorCode code) {
  return code == ErrorCode::kOk || code == ErrorCode::kNotFound ||
         code == ErrorCode::kCasMismatch || code == ErrorCode::kNotLeader;
}

}  // namespace

struct ServerMetrics::OpMetrics {
  prometheus::Histogram* duration = nullptr;
  prometheus::Gauge* in_flight = nullptr;
  prometheus::Gauge* apdex = nullptr;
  std::unique_ptr<LatencyWindow> window;
};

ServerMetrics::ServerMetrics(const MetricsConfig& config, std::string_view version)
    : config_(config),
      registry_(std::make_shared<prometheus::Registry>()),
      started_(std::chrono::steady_clock::now()),
      duration_(family<prometheus::Histogram>(*registry_, "quokka_request_duration_seconds",
                                              "Client request latency, by operation.")),
      handled_(family<prometheus::Counter>(*registry_, "quokka_requests_handled_total",
                                           "Client requests answered, by operation and code.")),
      in_flight_(family<prometheus::Gauge>(*registry_, "quokka_requests_in_flight",
                                           "Client requests being served.")),
      apdex_(family<prometheus::Gauge>(
          *registry_, "quokka_apdex",
          "Apdex over the sliding window: (satisfied + tolerating/2) / total.")),
      queue_depth_(family<prometheus::Gauge>(*registry_, "quokka_queue_depth",
                                             "Items in a bounded queue.")),
      queue_capacity_(family<prometheus::Gauge>(*registry_, "quokka_queue_capacity",
                                                "Capacity of a bounded queue.")),
      queue_rejected_(family<prometheus::Counter>(
          *registry_, "quokka_queue_rejected_total", "Items refused because a queue was full.")),
      queue_wait_(family<prometheus::Histogram>(
          *registry_, "quokka_queue_wait_seconds",
          "Time an item spent in a bounded queue, from entering it until it was taken, "
          "answered, expired or dropped.")),
      has_leader_(family<prometheus::Gauge>(*registry_, "quokka_raft_has_leader",
                                            "1 when this node knows a leader.").Add({})),
      is_leader_(family<prometheus::Gauge>(*registry_, "quokka_raft_is_leader",
                                           "1 when this node leads.").Add({})),
      term_(family<prometheus::Gauge>(*registry_, "quokka_raft_term", "The Raft term.").Add({})),
      commit_index_(family<prometheus::Gauge>(*registry_, "quokka_raft_commit_index",
                                              "The Raft commit index.").Add({})),
      applied_index_(family<prometheus::Gauge>(*registry_, "quokka_raft_applied_index",
                                               "The last applied log index.").Add({})),
      leader_changes_(family<prometheus::Counter>(*registry_, "quokka_raft_leader_changes_total",
                                                  "Leader changes seen by this node.").Add({})),
      proposals_committed_(family<prometheus::Counter>(
                               *registry_, "quokka_raft_proposals_committed_total",
                               "Writes proposed on this node whose entry committed.")
                               .Add({})),
      proposals_failed_(family<prometheus::Counter>(
                            *registry_, "quokka_raft_proposals_failed_total",
                            "Writes proposed on this node that certainly did not commit: "
                            "refused by Raft or lost to a leader change.")
                            .Add({})),
      proposals_pending_(family<prometheus::Gauge>(
                             *registry_, "quokka_raft_proposals_pending",
                             "Writes proposed on this node waiting to be applied.")
                             .Add({})),
      apply_lag_(family<prometheus::Gauge>(*registry_, "quokka_raft_apply_lag_entries",
                                           "Committed entries not yet applied.")
                     .Add({})),
      read_index_rounds_(family<prometheus::Counter>(
                             *registry_, "quokka_read_index_rounds_total",
                             "Heartbeat rounds started to confirm linearizable reads.")
                             .Add({})),
      read_index_failed_(family<prometheus::Counter>(
                             *registry_, "quokka_read_index_failed_total",
                             "Linearizable reads that got no read index: refused, dropped by a "
                             "leader change, or out of time.")
                             .Add({})),
      snapshots_sent_(family<prometheus::Counter>(*registry_, "quokka_raft_snapshots_sent_total",
                                                  "Snapshots sent to followers.").Add({})),
      snapshots_installed_(family<prometheus::Counter>(
                               *registry_, "quokka_raft_snapshots_installed_total",
                               "Snapshots installed from a leader.")
                               .Add({})),
      storage_commit_(family<prometheus::Histogram>(
                          *registry_, "quokka_storage_commit_duration_seconds",
                          "One group commit of the storage thread: its batches written to "
                          "RocksDB, then the log sync.")
                          .Add({}, kDiskBuckets)),
      group_commits_(family<prometheus::Counter>(*registry_, "quokka_storage_group_commits_total",
                                                 "Group commits of the storage thread.")
                         .Add({})),
      log_sync_(family<prometheus::Histogram>(
                    *registry_, "quokka_log_sync_duration_seconds",
                    "The log sync (RocksDB write-ahead log fsync) ending each group commit.")
                    .Add({}, kDiskBuckets)),
      storage_write_wait_(queue_wait("storage_writes")),
      write_stall_(family<prometheus::Counter>(
                       *registry_, "quokka_storage_write_stall_seconds_total",
                       "Time RocksDB delayed or stopped writes because compaction fell behind.")
                       .Add({})),
      lookups_filtered_(family<prometheus::Counter>(
                            *registry_, "quokka_storage_lookups_filtered_total",
                            "File reads point lookups skipped: the file's bloom filter said "
                            "the key is not in it.")
                            .Add({})),
      value_garbage_bytes_(family<prometheus::Gauge>(
                               *registry_, "quokka_storage_value_garbage_bytes",
                               "Bytes of deleted values still in the files that hold values.")
                               .Add({})),
      value_collection_on_(family<prometheus::Gauge>(
                               *registry_, "quokka_storage_value_collection_active",
                               "1 while compactions reclaim deleted values' space (turned on "
                               "past half garbage, off below a quarter).")
                               .Add({})),
      keys_(family<prometheus::Gauge>(*registry_, "quokka_keys",
                                      "Keys stored (RocksDB's estimate).")
                .Add({})),
      blobs_(family<prometheus::Gauge>(*registry_, "quokka_blobs",
                                       "Values stored (RocksDB's estimate).")
                 .Add({})),
      blob_bytes_(family<prometheus::Gauge>(*registry_, "quokka_blob_bytes",
                                            "Bytes the stored values take: files and memtables.")
                      .Add({})),
      blob_gc_pending_(family<prometheus::Gauge>(
                           *registry_, "quokka_blob_gc_pending",
                           "Values no key references, waiting for their grace period and the "
                           "collector (RocksDB's estimate).")
                           .Add({})),
      data_bytes_(family<prometheus::Gauge>(
                      *registry_, "quokka_storage_data_bytes",
                      "Bytes the node's store takes: SST and blob files plus memtables.")
                      .Add({})),
      quota_bytes_(family<prometheus::Gauge>(*registry_, "quokka_storage_quota_bytes",
                                             "storage.space_quota_bytes.")
                       .Add({})),
      blobs_collected_(family<prometheus::Counter>(
                           *registry_, "quokka_blobs_collected_total",
                           "Values deleted after their grace period with no reference.")
                           .Add({})),
      value_pushed_bytes_(family<prometheus::Counter>(
          *registry_, "quokka_peer_value_pushed_bytes_total",
          "Bytes of large values a leader sent a peer ahead of the appends that need them.")),
      protocol_rejections_(family<prometheus::Counter>(
          *registry_, "quokka_protocol_rejections_total",
          "Connections refused for an unsupported protocol version, by the caller's version.")),
      peer_connected_(family<prometheus::Gauge>(*registry_, "quokka_peer_connected",
                                                "1 while the link to a peer is up.")),
      peer_dropped_(family<prometheus::Counter>(
          *registry_, "quokka_peer_messages_dropped_total",
          "Messages to a peer dropped because its outgoing queue was full.")),
      peer_active_(family<prometheus::Gauge>(
          *registry_, "quokka_peer_active",
          "1 while a message from the peer arrived within an election timeout.")),
      peer_sent_bytes_(family<prometheus::Counter>(*registry_, "quokka_peer_sent_bytes_total",
                                                   "Bytes of frames handed to a peer's socket.")),
      peer_received_bytes_(family<prometheus::Counter>(*registry_,
                                                       "quokka_peer_received_bytes_total",
                                                       "Bytes of frames received from a peer.")),
      peer_send_failures_(family<prometheus::Counter>(
          *registry_, "quokka_peer_send_failures_total",
          "Failed dials and lost connections of the link to a peer; what was queued on a "
          "lost connection is resent by Raft.")),
      peer_round_trip_(family<prometheus::Histogram>(
          *registry_, "quokka_peer_round_trip_time_seconds",
          "Heartbeat to its response, per peer (timed in the server, one at a time).")) {
  family<prometheus::Gauge>(*registry_, "quokka_build_info", "The build, as labels.")
      .Add({{"version", std::string(version)}, {"protocol_min", "1"}, {"protocol_max", "1"}})
      .Set(1);
}

ServerMetrics::~ServerMetrics() = default;

uint64_t ServerMetrics::now_second() const {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::steady_clock::now() - started_)
                                   .count());
}

ServerMetrics::OpMetrics& ServerMetrics::op(std::string_view name) {
  auto it = ops_.find(name);
  if (it != ops_.end()) return *it->second;
  const std::optional<ApdexOperation> apdex_op = apdex_operation(name);
  const double threshold =
      static_cast<double>(apdex_op ? config_.apdex_threshold_ms_for(*apdex_op)
                                   : config_.apdex_threshold_ms.value_or(kApdexWriteThresholdMsDefault)) /
      1000.0;
  auto metrics = std::make_unique<OpMetrics>();
  const std::string label(name);
  metrics->duration = &duration_.Add({{"op", label}}, request_buckets(threshold));
  metrics->in_flight = &in_flight_.Add({{"op", label}});
  metrics->apdex = &apdex_.Add({{"op", label}});
  metrics->apdex->Set(1);
  metrics->window = std::make_unique<LatencyWindow>(config_.summary_window_seconds, threshold);
  return *ops_.emplace(label, std::move(metrics)).first->second;
}

void ServerMetrics::request_started(std::string_view name) { op(name).in_flight->Increment(); }

void ServerMetrics::request_finished(std::string_view name, ErrorCode code, double seconds) {
  OpMetrics& metrics = op(name);
  metrics.in_flight->Decrement();
  metrics.duration->Observe(seconds);
  metrics.window->record(now_second(), seconds, satisfying(code));
  handled_.Add({{"op", std::string(name)}, {"code", std::string(error_code_name(code))}})
      .Increment();
}

void ServerMetrics::queue_refused(std::string_view queue) {
  queue_rejected_.Add({{"queue", std::string(queue)}}).Increment();
}

prometheus::Histogram& ServerMetrics::queue_wait(std::string_view queue) {
  auto it = queue_waits_.find(queue);
  if (it != queue_waits_.end()) return *it->second;
  prometheus::Histogram& histogram =
      queue_wait_.Add({{"queue", std::string(queue)}}, exponential_buckets(0.0001, 20));
  queue_waits_.emplace(std::string(queue), &histogram);
  return histogram;
}

void ServerMetrics::queue_waited(std::string_view queue, double seconds) {
  queue_wait(queue).Observe(seconds);
}

void ServerMetrics::set_queue(std::string_view queue, QueueReading reading) {
  queue_depth_.Add({{"queue", std::string(queue)}}).Set(static_cast<double>(reading.depth));
  queue_capacity_.Add({{"queue", std::string(queue)}}).Set(static_cast<double>(reading.capacity));
  // Every queue has rejection and wait series from the start, so rate()
  // works.
  queue_rejected_.Add({{"queue", std::string(queue)}});
  queue_wait(queue);
}

void ServerMetrics::set_raft(const RaftReading& reading) {
  has_leader_.Set(reading.has_leader ? 1 : 0);
  is_leader_.Set(reading.is_leader ? 1 : 0);
  term_.Set(static_cast<double>(reading.term));
  commit_index_.Set(static_cast<double>(reading.commit));
  applied_index_.Set(static_cast<double>(reading.applied));
  apply_lag_.Set(reading.commit > reading.applied
                     ? static_cast<double>(reading.commit - reading.applied)
                     : 0);
  proposals_pending_.Set(static_cast<double>(reading.proposals_pending));
  advance_to(read_index_rounds_, static_cast<double>(reading.read_index_rounds));
}

void ServerMetrics::proposal_committed() { proposals_committed_.Increment(); }
void ServerMetrics::proposal_failed() { proposals_failed_.Increment(); }
void ServerMetrics::read_index_failed() { read_index_failed_.Increment(); }

void ServerMetrics::leader_changed() { leader_changes_.Increment(); }
void ServerMetrics::snapshot_sent() { snapshots_sent_.Increment(); }
void ServerMetrics::snapshot_installed() { snapshots_installed_.Increment(); }
void ServerMetrics::blobs_collected(uint64_t count) {
  blobs_collected_.Increment(static_cast<double>(count));
}

void ServerMetrics::value_pushed(uint64_t peer, uint64_t bytes) {
  value_pushed_bytes_.Add({{"peer", std::to_string(peer)}}).Increment(static_cast<double>(bytes));
}

void ServerMetrics::protocol_rejected(uint32_t caller_max_version) {
  protocol_rejections_.Add({{"caller_version", std::to_string(caller_max_version)}}).Increment();
}

void ServerMetrics::peer_state(uint64_t peer, const PeerReading& reading) {
  const prometheus::Labels labels = {{"peer", std::to_string(peer)}};
  peer_connected_.Add(labels).Set(reading.connected ? 1 : 0);
  peer_active_.Add(labels).Set(reading.active ? 1 : 0);
  advance_to(peer_dropped_.Add(labels), static_cast<double>(reading.dropped_total));
  advance_to(peer_sent_bytes_.Add(labels), static_cast<double>(reading.sent_bytes_total));
  advance_to(peer_received_bytes_.Add(labels), static_cast<double>(reading.received_bytes_total));
  advance_to(peer_send_failures_.Add(labels), static_cast<double>(reading.send_failures_total));
  peer_round_trip_.Add(labels, exponential_buckets(0.0001, 16));
}

void ServerMetrics::peer_round_trip(uint64_t peer, double seconds) {
  peer_round_trip_.Add({{"peer", std::to_string(peer)}}, exponential_buckets(0.0001, 16))
      .Observe(seconds);
}

void ServerMetrics::set_storage(const StorageStats& stats, uint64_t quota_bytes) {
  keys_.Set(static_cast<double>(stats.keys));
  blobs_.Set(static_cast<double>(stats.blobs));
  blob_bytes_.Set(static_cast<double>(stats.blob_bytes));
  blob_gc_pending_.Set(static_cast<double>(stats.blobs_unreferenced));
  data_bytes_.Set(static_cast<double>(stats.data_bytes));
  quota_bytes_.Set(static_cast<double>(quota_bytes));
  advance_to(write_stall_, stats.write_stall_seconds);
  advance_to(lookups_filtered_, static_cast<double>(stats.lookups_filtered));
  value_garbage_bytes_.Set(static_cast<double>(stats.value_garbage_bytes));
  value_collection_on_.Set(stats.value_collection_on ? 1 : 0);
}

void ServerMetrics::storage_committed(double commit_seconds, double sync_seconds) {
  std::lock_guard lock(storage_mutex_);
  storage_commit_.Observe(commit_seconds);
  // 0 when the group needed no sync (no batch asked for one) or
  // storage.sync is off: there was no sync to time.
  if (sync_seconds > 0) log_sync_.Observe(sync_seconds);
  group_commits_.Increment();
}

void ServerMetrics::storage_write_waited(double seconds) {
  std::lock_guard lock(storage_mutex_);
  storage_write_wait_.Observe(seconds);
}

std::string ServerMetrics::scrape() {
  // The latency profile: a summary over the sliding window, with the true
  // minimum and maximum as quantiles 0 and 1 (prometheus-cpp's summary
  // estimates quantiles and cannot give exact extremes).
  prometheus::MetricFamily latency;
  latency.name = "quokka_request_latency_seconds";
  latency.help = fmt::format("Client request latency over the last {} s, by operation.",
                             config_.summary_window_seconds);
  latency.type = prometheus::MetricType::Summary;
  const uint64_t now = now_second();
  for (auto& [name, metrics] : ops_) {
    const LatencyWindow::Snapshot window = metrics->window->snapshot(now);
    metrics->apdex->Set(window.apdex);
    prometheus::ClientMetric metric;
    metric.label = {{"op", name}};
    metric.summary.sample_count = window.count;
    metric.summary.sample_sum = window.sum_seconds;
    for (size_t i = 0; i < LatencyWindow::kQuantiles.size(); ++i) {
      metric.summary.quantile.push_back({LatencyWindow::kQuantiles[i], window.quantiles[i]});
    }
    latency.metric.push_back(std::move(metric));
  }
  std::vector<prometheus::MetricFamily> families;
  {
    std::lock_guard lock(storage_mutex_);
    families = registry_->Collect();
  }
  families.push_back(std::move(latency));
  for (prometheus::MetricFamily& process : process_families(read_process())) {
    families.push_back(std::move(process));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace quokka::server
