#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <asio.hpp>

#include "common/status.h"
#include "config/node_config.h"
#include "proto/envelope.pb.h"
#include "proto/handshake.pb.h"
#include "server/daemon_log.h"
#include "server/metrics_http.h"
#include "server/server_metrics.h"
#include "server/node/node.h"
#include "server/peer_link.h"
#include "server/peer_round_trip.h"
#include "server/storage_writer.h"
#include "storage/storage.h"

namespace quokka::server {

class InboundConnection;

// What the node reports, turned into metrics and log lines.
class ServerProbe final : public node::NodeProbe {
 public:
  ServerProbe(ServerMetrics& metrics, std::function<void()> leader_changed)
      : metrics_(metrics), on_leader_changed_(std::move(leader_changed)) {}
  void leader_changed() override {
    metrics_.leader_changed();
    on_leader_changed_();
  }
  void queue_refused(std::string_view queue) override { metrics_.queue_refused(queue); }
  void queue_waited(std::string_view queue, uint64_t waited_ms) override {
    metrics_.queue_waited(queue, static_cast<double>(waited_ms) / 1000.0);
  }
  void proposal_committed() override { metrics_.proposal_committed(); }
  void proposal_failed() override { metrics_.proposal_failed(); }
  void read_index_failed() override { metrics_.read_index_failed(); }
  void snapshot_sent() override { metrics_.snapshot_sent(); }
  void snapshot_installed() override { metrics_.snapshot_installed(); }
  void blobs_collected(uint64_t count) override { metrics_.blobs_collected(count); }
  void value_pushed(NodeId to, Term, LogIndex, uint64_t bytes) override {
    metrics_.value_pushed(to.value(), bytes);
  }

 private:
  ServerMetrics& metrics_;
  std::function<void()> on_leader_changed_;
};

// quokkad's runtime: one event-loop thread for the network and the node
// (consensus included), a storage thread that group-commits (StorageWriter),
// TCP listeners for clients and peers, and the signals that stop it. The
// node runs unchanged from the simulator; this class is its real Env.
class Server final : public node::Env {
 public:
  static Result<std::unique_ptr<Server>> open(const NodeConfig& config);
  ~Server() override;

  // Runs until SIGTERM or SIGINT, then shuts down in bounded time.
  // Returns the process exit status (0 after a clean shutdown).
  int run();

  // node::Env
  uint64_t monotonic_ms() const override;
  uint64_t wall_ms() const override;
  void send(NodeId to, node::PeerMessage message) override;
  void persist(WriteBatch batch, Sync sync, std::function<void(Status)> done) override;
  void defer(std::function<void()> work) override;

  // For inbound connections.
  proto::HelloReply handshake(const proto::Hello& hello);
  void client_call(const std::shared_ptr<InboundConnection>& connection,
                   const proto::Envelope& envelope);
  void peer_message(NodeId from, const proto::Envelope& envelope);
  void connection_closed(const std::shared_ptr<InboundConnection>& connection);
  uint32_t max_frame_bytes() const { return max_frame_bytes_; }
  uint64_t lamport_time() const;
  DaemonLog& log() { return *log_; }

 private:
  explicit Server(const NodeConfig& config);
  Status start();
  void accept(asio::ip::tcp::acceptor& acceptor, bool peers);
  void schedule_tick();
  // Gauges read from the node, the storage thread and the peer links.
  void update_gauges();
  // Gauges that cost more than a field read (RocksDB properties, /proc):
  // only when Prometheus scrapes.
  void update_scrape_gauges();
  MetricsHttp::Health health() const;
  // Where clients reach member `id` ("host:port"); empty if unknown.
  std::string client_address_of(NodeId id) const;
  void shutdown();
  void wait_for_quiet();

  NodeConfig config_;
  uint32_t max_frame_bytes_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer tick_timer_;
  asio::steady_timer shutdown_timer_;
  asio::ip::tcp::acceptor client_acceptor_;
  asio::ip::tcp::acceptor peer_acceptor_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<DaemonLog> log_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<StorageWriter> writer_;
  std::unique_ptr<ServerMetrics> metrics_;
  std::unique_ptr<MetricsHttp> metrics_http_;
  std::unique_ptr<ServerProbe> probe_;
  std::unique_ptr<node::Node> node_;
  std::map<NodeId, std::shared_ptr<PeerLink>> peers_;
  // What this node sees of each peer's messages, for the peer metrics.
  struct PeerTraffic {
    PeerRoundTrip round_trip;
    uint64_t received_bytes = 0;
    std::optional<std::chrono::steady_clock::time_point> last_heard;
    bool was_connected = false;
  };
  std::map<NodeId, PeerTraffic> peer_traffic_;
  std::set<std::shared_ptr<InboundConnection>> connections_;
  uint64_t client_connections_ = 0;
  bool shutting_down_ = false;
  std::chrono::steady_clock::time_point shutdown_deadline_;
  int exit_status_ = 0;
};

}  // namespace quokka::server
