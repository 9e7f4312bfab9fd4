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
#include "storage/storage_stats.h"

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
  // Writes proposed on this node and not yet answered.
  uint64_t proposals_pending = 0;
  // Read-index rounds the core has started since the node started.
  uint64_t read_index_rounds = 0;
};

// One peer's link, read when Prometheus scrapes. Totals count since the
// node started; they only grow.
struct PeerReading {
  // The outgoing link is up (handshake done).
  bool connected = false;
  // A message came from the peer within an election timeout.
  bool active = false;
  uint64_t dropped_total = 0;
  uint64_t sent_bytes_total = 0;
  uint64_t received_bytes_total = 0;
  // Failed dials and lost connections of the outgoing link.
  uint64_t send_failures_total = 0;
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
  // An item left `queue` after `seconds` in it.
  void queue_waited(std::string_view queue, double seconds);
  void set_queue(std::string_view queue, QueueReading reading);
  void set_raft(const RaftReading& reading);
  void proposal_committed();
  void proposal_failed();
  void read_index_failed();
  void leader_changed();
  void snapshot_sent();
  void snapshot_installed();
  void blobs_collected(uint64_t count);
  void value_pushed(uint64_t peer, uint64_t bytes);
  void protocol_rejected(uint32_t caller_max_version);
  void peer_state(uint64_t peer, const PeerReading& reading);
  void peer_round_trip(uint64_t peer, double seconds);
  void set_storage(const StorageStats& stats, uint64_t quota_bytes);
  // Safe from the storage thread: a group commit (its log sync included)
  // and the log sync alone; a batch's wait for its group commit.
  void storage_committed(double commit_seconds, double sync_seconds);
  void storage_write_waited(double seconds);

  // The text exposition format of everything, for GET /metrics.
  std::string scrape();

 private:
  struct OpMetrics;
  OpMetrics& op(std::string_view name);
  prometheus::Histogram& queue_wait(std::string_view queue);
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
  prometheus::Family<prometheus::Histogram>& queue_wait_;
  std::map<std::string, prometheus::Histogram*, std::less<>> queue_waits_;
  prometheus::Gauge& has_leader_;
  prometheus::Gauge& is_leader_;
  prometheus::Gauge& term_;
  prometheus::Gauge& commit_index_;
  prometheus::Gauge& applied_index_;
  prometheus::Counter& leader_changes_;
  prometheus::Counter& proposals_committed_;
  prometheus::Counter& proposals_failed_;
  prometheus::Gauge& proposals_pending_;
  prometheus::Gauge& apply_lag_;
  prometheus::Counter& read_index_rounds_;
  prometheus::Counter& read_index_failed_;
  prometheus::Counter& snapshots_sent_;
  prometheus::Counter& snapshots_installed_;
  prometheus::Histogram& storage_commit_;
  prometheus::Counter& group_commits_;
  prometheus::Histogram& log_sync_;
  prometheus::Histogram& storage_write_wait_;
  prometheus::Counter& write_stall_;
  prometheus::Counter& lookups_filtered_;
  prometheus::Gauge& value_garbage_bytes_;
  prometheus::Gauge& value_collection_on_;
  prometheus::Gauge& keys_;
  prometheus::Gauge& blobs_;
  prometheus::Gauge& blob_bytes_;
  prometheus::Gauge& blob_gc_pending_;
  prometheus::Gauge& data_bytes_;
  prometheus::Gauge& quota_bytes_;
  prometheus::Counter& blobs_collected_;
  prometheus::Family<prometheus::Counter>& value_pushed_bytes_;
  prometheus::Family<prometheus::Counter>& protocol_rejections_;
  prometheus::Family<prometheus::Gauge>& peer_connected_;
  prometheus::Family<prometheus::Counter>& peer_dropped_;
  prometheus::Family<prometheus::Gauge>& peer_active_;
  prometheus::Family<prometheus::Counter>& peer_sent_bytes_;
  prometheus::Family<prometheus::Counter>& peer_received_bytes_;
  prometheus::Family<prometheus::Counter>& peer_send_failures_;
  prometheus::Family<prometheus::Histogram>& peer_round_trip_;
  std::map<std::string, std::unique_ptr<OpMetrics>, std::less<>> ops_;
  std::mutex storage_mutex_;
};

}  // namespace quokka::server
