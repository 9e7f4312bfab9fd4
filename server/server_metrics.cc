#include "server/server_metrics.h"

#include <algorithm>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

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
      snapshots_sent_(family<prometheus::Counter>(*registry_, "quokka_raft_snapshots_sent_total",
                                                  "Snapshots sent to followers.").Add({})),
      snapshots_installed_(family<prometheus::Counter>(
                               *registry_, "quokka_raft_snapshots_installed_total",
                               "Snapshots installed from a leader.")
                               .Add({})),
      storage_commit_(family<prometheus::Histogram>(
                          *registry_, "quokka_storage_commit_duration_seconds",
                          "One group commit of the storage thread, fsync included.")
                          .Add({}, prometheus::Histogram::BucketBoundaries{
                                       0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                       0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5})),
      group_commits_(family<prometheus::Counter>(*registry_, "quokka_storage_group_commits_total",
                                                 "Group commits of the storage thread.")
                         .Add({})),
      blobs_collected_(family<prometheus::Counter>(
                           *registry_, "quokka_blobs_collected_total",
                           "Values deleted after their grace period with no reference.")
                           .Add({})),
      protocol_rejections_(family<prometheus::Counter>(
          *registry_, "quokka_protocol_rejections_total",
          "Connections refused for an unsupported protocol version, by the caller's version.")),
      peer_connected_(family<prometheus::Gauge>(*registry_, "quokka_peer_connected",
                                                "1 while the link to a peer is up.")),
      peer_dropped_(family<prometheus::Counter>(
          *registry_, "quokka_peer_messages_dropped_total",
          "Messages to a peer dropped because its outgoing queue was full.")) {
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
                                   : config_.apdex_threshold_ms) /
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

void ServerMetrics::set_queue(std::string_view queue, QueueReading reading) {
  queue_depth_.Add({{"queue", std::string(queue)}}).Set(static_cast<double>(reading.depth));
  queue_capacity_.Add({{"queue", std::string(queue)}}).Set(static_cast<double>(reading.capacity));
  // Every queue has a rejection series from the start, so rate() works.
  queue_rejected_.Add({{"queue", std::string(queue)}});
}

void ServerMetrics::set_raft(const RaftReading& reading) {
  has_leader_.Set(reading.has_leader ? 1 : 0);
  is_leader_.Set(reading.is_leader ? 1 : 0);
  term_.Set(static_cast<double>(reading.term));
  commit_index_.Set(static_cast<double>(reading.commit));
  applied_index_.Set(static_cast<double>(reading.applied));
}

void ServerMetrics::leader_changed() { leader_changes_.Increment(); }
void ServerMetrics::snapshot_sent() { snapshots_sent_.Increment(); }
void ServerMetrics::snapshot_installed() { snapshots_installed_.Increment(); }
void ServerMetrics::blobs_collected(uint64_t count) {
  blobs_collected_.Increment(static_cast<double>(count));
}

void ServerMetrics::protocol_rejected(uint32_t caller_max_version) {
  protocol_rejections_.Add({{"caller_version", std::to_string(caller_max_version)}}).Increment();
}

void ServerMetrics::peer_state(uint64_t peer, bool connected, uint64_t dropped_total) {
  const std::string label = std::to_string(peer);
  peer_connected_.Add({{"peer", label}}).Set(connected ? 1 : 0);
  uint64_t& seen = peer_dropped_seen_[peer];
  peer_dropped_.Add({{"peer", label}}).Increment(static_cast<double>(dropped_total - seen));
  seen = dropped_total;
}

void ServerMetrics::storage_committed(double seconds) {
  std::lock_guard lock(storage_mutex_);
  storage_commit_.Observe(seconds);
  group_commits_.Increment();
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
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace quokka::server
