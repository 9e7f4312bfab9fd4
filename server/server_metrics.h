#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "common/error_code.h"
#include "config/metrics_config.h"
#include "server/latency_window.h"

namespace quokka::server {

// A bounded queue's state, read when Prometheus scrapes.
struct QueueReading {
  uint64_t depth = 0;
  uint64_t capacity = 0;
};

// The node's facts for the Raft gauges and /health.
struct RaftReading {
  bool has_leader = false;
  bool is_leader = false;
  uint64_t term = 0;
  uint64_t commit = 0;
  uint64_t applied = 0;
};

// Every metric quokkad exports (names after research/users.md §4 and the
// Prometheus conventions; labels are low-cardinality: op, code, queue,
// peer, caller_version). Registration lives here, in the server layer; the
// node and the core report through NodeProbe (STYLE §11). Single-threaded
// except where noted: the event loop calls it.
class ServerMetrics {
 public:
  ServerMetrics(const MetricsConfig& config, std::string_view version);
  ~ServerMetrics();

  // A client request answered with `code` after `seconds`.
  void request_started(std::string_view op);
  void request_finished(std::string_view op, ErrorCode code, double seconds);
  void queue_refused(std::string_view queue);
  void set_queue(std::string_view queue, QueueReading reading);
  void set_raft(const RaftReading& reading);
  void leader_changed();
  void snapshot_sent();
  void snapshot_installed();
  void blobs_collected(uint64_t count);
  void protocol_rejected(uint32_t caller_max_version);
  void peer_state(uint64_t peer, bool connected, uint64_t dropped_total);
  // Safe from the storage thread.
  void storage_committed(double seconds);

  // The text exposition format of everything, for GET /metrics.
  std::string scrape();

 private:
  struct OpMetrics;
  OpMetrics& op(std::string_view name);
  uint64_t now_second() const;

  MetricsConfig config_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::chrono::steady_clock::time_point started_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Gauge>& in_flight_;
  prometheus::Family<prometheus::Gauge>& apdex_;
  prometheus::Family<prometheus::Gauge>& queue_depth_;
  prometheus::Family<prometheus::Gauge>& queue_capacity_;
  prometheus::Family<prometheus::Counter>& queue_rejected_;
  prometheus::Gauge& has_leader_;
  prometheus::Gauge& is_leader_;
  prometheus::Gauge& term_;
  prometheus::Gauge& commit_index_;
  prometheus::Gauge& applied_index_;
  prometheus::Counter& leader_changes_;
  prometheus::Counter& snapshots_sent_;
  prometheus::Counter& snapshots_installed_;
  prometheus::Histogram& storage_commit_;
  prometheus::Counter& group_commits_;
  prometheus::Counter& blobs_collected_;
  prometheus::Family<prometheus::Counter>& protocol_rejections_;
  prometheus::Family<prometheus::Gauge>& peer_connected_;
  prometheus::Family<prometheus::Counter>& peer_dropped_;
  std::map<uint64_t, uint64_t> peer_dropped_seen_;
  std::map<std::string, std::unique_ptr<OpMetrics>, std::less<>> ops_;
  std::mutex storage_mutex_;
};

}  // namespace quokka::server
