#include "server/server.h"

#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "proto/client.pb.h"
#include "proto/errors.pb.h"
#include "proto/frame_format.h"
#include "proto/protocol_version.h"
#include "server/client_wire.h"
#include "server/inbound_connection.h"
#include "server/peer_wire.h"

namespace quokka::server {
namespace {

// SIGTERM: how long in-flight requests get to finish before the node stops.
constexpr auto kShutdownGrace = std::chrono::milliseconds(3000);
constexpr const char* kSoftwareVersion = "0.1.0";

node::NodeOptions node_options(const NodeConfig& config) {
  node::NodeOptions options;
  options.id = config.node.id;
  for (const ClusterMember& member : config.cluster.members) {
    options.initial_members.push_back(member.id);
  }
  options.raft.election_timeout_ticks = config.raft.election_timeout_ticks;
  options.raft.heartbeat_ticks = config.raft.heartbeat_ticks;
  options.raft.inflight_messages_max = config.raft.inflight_append_messages_max;
  options.raft.append_bytes_max = config.raft.append_bytes_max;
  options.raft.pending_reads_max = config.queues.pending_reads_max;
  // Seeded from the node id: elections are randomized per node, and a
  // restart does not need a different sequence.
  options.raft.random_seed = 0x71756f6b6b61ULL + config.node.id.value();
  options.raft.check_invariants = true;
  options.limits.key_bytes_max = config.limits.key_bytes_max;
  options.limits.value_bytes_max = config.limits.value_bytes_max;
  options.limits.inline_value_bytes_max = config.limits.inline_value_bytes_max_effective();
  options.limits.range_keys_max = config.limits.range_keys_max;
  options.limits.range_bytes_max = config.limits.range_bytes_max;
  options.tick_ms = config.raft.tick_ms;
  options.pending_writes_max = config.queues.proposals_max;
  options.pending_reads_max = config.queues.pending_reads_max;
  options.blob_grace_ms = config.storage.blob_grace_ms;
  options.snapshot_interval_entries = config.raft.snapshot_interval_entries;
  options.forward_writes = config.cluster.forward_writes;
  options.forwarded_writes_max = config.queues.forwarded_writes_max;
  options.write_values_bytes_max = config.queues.write_values_bytes_max;
  // A fresh value per process start, so a late answer to a forward of an
  // earlier run of this node is never matched with one of this run's.
  std::random_device entropy;
  options.incarnation = (static_cast<uint64_t>(entropy()) << 32) ^ entropy();
  return options;
}

// Appends and snapshots share the bulk lane with the value pushes that go
// ahead of them, so an append never overtakes its values; everything else
// is small and goes first (peer_outbox.h).
PeerOutbox::Lane peer_lane(const node::PeerMessage& message) {
  if (const auto* raft = std::get_if<node::RaftPeerMessage>(&message)) {
    const bool bulk = raft->raft.type == consensus::MessageType::kAppend ||
                      raft->raft.type == consensus::MessageType::kSnapshot;
    return bulk ? PeerOutbox::Lane::kBulk : PeerOutbox::Lane::kControl;
  }
  if (std::holds_alternative<node::BlobPush>(message) ||
      std::holds_alternative<node::ForwardedWrite>(message)) {
    return PeerOutbox::Lane::kBulk;
  }
  return PeerOutbox::Lane::kControl;
}

proto::RaftRole wire_role(consensus::Role role) {
  switch (role) {
    case consensus::Role::kFollower: return proto::RAFT_ROLE_FOLLOWER;
    case consensus::Role::kPreCandidate: return proto::RAFT_ROLE_PRE_CANDIDATE;
    case consensus::Role::kCandidate: return proto::RAFT_ROLE_CANDIDATE;
    case consensus::Role::kLeader: return proto::RAFT_ROLE_LEADER;
  }
  return proto::RAFT_ROLE_UNSPECIFIED;
}

}  // namespace

Result<std::unique_ptr<Server>> Server::open(const NodeConfig& config) {
  std::unique_ptr<Server> server(new Server(config));
  if (Status status = server->start(); !status.is_ok()) return status;
  return server;
}

Server::Server(const NodeConfig& config)
    : config_(config),
      max_frame_bytes_(static_cast<uint32_t>(config.limits.frame_bytes_max_effective())),
      signals_(io_, SIGTERM, SIGINT),
      tick_timer_(io_),
      shutdown_timer_(io_),
      client_acceptor_(io_),
      peer_acceptor_(io_),
      started_(std::chrono::steady_clock::now()) {
  log_ = std::make_unique<DaemonLog>(config.node.id, config.log,
                                     [this] { return lamport_time(); });
  metrics_ = std::make_unique<ServerMetrics>(config.metrics, kSoftwareVersion);
  metrics_http_ = std::make_unique<MetricsHttp>(
      io_, [this] {
        update_gauges();
        update_scrape_gauges();
        return metrics_->scrape();
      },
      [this] { return health(); });
}

Server::~Server() {
  for (auto& [id, link] : peers_) link->stop();
  if (writer_) writer_->stop();
}

// Read on every log line and every envelope: straight from the core, not
// through status(), which also reads the store.
uint64_t Server::lamport_time() const { return node_ ? node_->raft().lamport_time() : 0; }

uint64_t Server::monotonic_ms() const {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - started_)
                                   .count());
}

uint64_t Server::wall_ms() const {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Status Server::start() {
  std::error_code mkdir_error;
  std::filesystem::create_directories(config_.node.data_dir, mkdir_error);
  if (mkdir_error) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("cannot create the data directory {}: {}", config_.node.data_dir,
                              mkdir_error.message()));
  }
  Result<std::unique_ptr<Storage>> storage = Storage::open_rocksdb(config_.node.data_dir);
  if (!storage.is_ok()) {
    return Status(storage.status().code(),
                  fmt::format("cannot open the data directory {}: {}", config_.node.data_dir,
                              storage.status().message()));
  }
  storage_ = std::move(storage).value();
  // The cluster a data directory belongs to is recorded at its creation; a
  // node pointed at another cluster's data refuses to start.
  Result<std::optional<std::string>> cluster = storage_->get_node_record("local/cluster_id");
  if (!cluster.is_ok()) return cluster.status();
  if (cluster->has_value() && **cluster != config_.node.cluster_id) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("the data directory {} belongs to cluster \"{}\", not \"{}\"",
                              config_.node.data_dir, **cluster, config_.node.cluster_id));
  }
  if (!cluster->has_value()) {
    WriteBatch batch;
    batch.put_node_record("local/cluster_id", config_.node.cluster_id);
    if (Status status = storage_->commit(batch, Sync::kYes); !status.is_ok()) return status;
  }
  writer_ = std::make_unique<StorageWriter>(
      *storage_, [this](std::function<void()> done) { asio::post(io_, std::move(done)); },
      config_.storage.sync,
      StorageWriter::Observer{
          [this](double waited) { metrics_->storage_write_waited(waited); },
          [this](double commit_seconds, double sync_seconds) {
            metrics_->storage_committed(commit_seconds, sync_seconds);
          }});
  probe_ = std::make_unique<ServerProbe>(*metrics_, [this] {
    const node::NodeStatus status = node_->status();
    if (status.leader == NodeId(0)) {
      log_->info("no leader known in term {}", status.term.value());
    } else {
      log_->info("node {} leads term {}{}", status.leader.value(), status.term.value(),
                 status.leader == config_.node.id ? " (this node)" : "");
    }
  });
  Result<std::unique_ptr<node::Node>> node =
      node::Node::open(node_options(config_), *this, *storage_, probe_.get());
  if (!node.is_ok()) return node.status();
  node_ = std::move(node).value();

  auto listen = [&](asio::ip::tcp::acceptor& acceptor, const HostPort& address,
                    std::string_view what) -> Status {
    asio::error_code error;
    asio::ip::tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(address.host, std::to_string(address.port), error);
    if (error || endpoints.empty()) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("cannot resolve the {} address {}: {}", what, address.to_string(),
                                error.message()));
    }
    asio::ip::tcp::endpoint endpoint = *endpoints.begin();
    acceptor.open(endpoint.protocol(), error);
    if (!error) acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor.bind(endpoint, error);
    if (!error) {
      acceptor.listen(static_cast<int>(config_.queues.accept_backlog_connections), error);
    }
    if (error) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("cannot listen for {} on {}: {}", what, address.to_string(),
                                error.message()));
    }
    return Status::ok();
  };
  if (Status s = listen(client_acceptor_, config_.listen.client_address, "clients"); !s.is_ok()) {
    return s;
  }
  if (Status s = listen(peer_acceptor_, config_.listen.peer_address, "peers"); !s.is_ok()) {
    return s;
  }
  if (Status s = metrics_http_->listen(config_.listen.metrics_address,
                                       static_cast<int>(config_.queues.accept_backlog_connections));
      !s.is_ok()) {
    return s;
  }
  for (const ClusterMember& member : config_.cluster.members) {
    if (member.id == config_.node.id) continue;
    PeerLink::Options options{config_.node.id, member.id, member.peer_address,
                              config_.node.cluster_id, max_frame_bytes_,
                              config_.queues.peer_outgoing_messages_max,
                              config_.queues.peer_outgoing_bytes_max,
                              [this](double waited) {
                                metrics_->queue_waited("peer_outgoing", waited);
                              }};
    peer_traffic_[member.id];
    const NodeId peer = member.id;
    peers_[member.id] = std::make_shared<PeerLink>(
        io_, options, *log_, [this, peer] { node_->peer_disconnected(peer); });
  }
  return Status::ok();
}

int Server::run() {
  log_->info("quokkad {} starting: clients on {}, peers on {}, data in {}", kSoftwareVersion,
             config_.listen.client_address.to_string(), config_.listen.peer_address.to_string(),
             config_.node.data_dir);
  for (auto& [id, link] : peers_) link->start();
  accept(client_acceptor_, false);
  accept(peer_acceptor_, true);
  schedule_tick();
  signals_.async_wait([this](const asio::error_code& error, int signal) {
    if (error) return;
    log_->info("signal {}: shutting down", signal);
    shutdown();
  });
  io_.run();
  writer_->stop();
  log_->info("stopped");
  return exit_status_;
}

void Server::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  asio::error_code ignored;
  client_acceptor_.close(ignored);
  // A leader hands over first, so the cluster does not wait an election
  // timeout for a new one.
  node_->hand_over_leadership();
  shutdown_deadline_ = std::chrono::steady_clock::now() + kShutdownGrace;
  wait_for_quiet();
}

void Server::wait_for_quiet() {
  // Requests in flight get a bounded time to finish (their writes are
  // durable once answered); then everything stops.
  uint64_t inflight = 0;
  for (const auto& connection : connections_) inflight += connection->inflight();
  const bool quiet = inflight == 0 && node_->status().role != consensus::Role::kLeader;
  if (!quiet && std::chrono::steady_clock::now() < shutdown_deadline_) {
    shutdown_timer_.expires_after(std::chrono::milliseconds(50));
    shutdown_timer_.async_wait([this](const asio::error_code& error) {
      if (!error) wait_for_quiet();
    });
    return;
  }
  log_->info("stopping with {} requests in flight", inflight);
  metrics_http_->stop();
  asio::error_code ignored;
  peer_acceptor_.close(ignored);
  tick_timer_.cancel();
  for (auto& [id, link] : peers_) link->stop();
  for (const auto& connection : std::set(connections_)) connection->close(true);
  io_.stop();
}

void Server::schedule_tick() {
  tick_timer_.expires_after(std::chrono::milliseconds(config_.raft.tick_ms));
  tick_timer_.async_wait([this](const asio::error_code& error) {
    if (error) return;
    node_->tick();
    update_gauges();
    schedule_tick();
  });
}

void Server::accept(asio::ip::tcp::acceptor& acceptor, bool peers) {
  acceptor.async_accept([this, &acceptor, peers](const asio::error_code& error,
                                                  asio::ip::tcp::socket socket) {
    if (error) {
      if (acceptor.is_open()) accept(acceptor, peers);
      return;
    }
    if (!peers && client_connections_ >= config_.queues.connections_max) {
      metrics_->queue_refused("connections");
      log_->warn("refusing a client connection: {} open, connections_max = {}",
                 client_connections_, config_.queues.connections_max);
      asio::error_code ignored;
      socket.close(ignored);
    } else {
      auto connection = std::make_shared<InboundConnection>(
          std::move(socket), *this, peers, config_.queues.inflight_requests_per_connection_max);
      if (!peers) ++client_connections_;
      connections_.insert(connection);
      connection->start_reading();
    }
    accept(acceptor, peers);
  });
}

void Server::connection_closed(const std::shared_ptr<InboundConnection>& connection) {
  if (connections_.erase(connection) == 0) return;
  if (!connection->on_peer_port() && client_connections_ > 0) {
    --client_connections_;
    // A connection holds its place among connections_max while it is open.
    metrics_->queue_waited("connections",
                           std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                         connection->opened())
                               .count());
  }
  // A peer's answers to this node's forwards come on the peer's own
  // connection; once it breaks, they may never come.
  if (connection->peer_id() != NodeId(0)) node_->peer_disconnected(connection->peer_id());
}

proto::HelloReply Server::handshake(const proto::Hello& hello) {
  proto::HelloReply reply;
  reply.set_min_version(proto::kProtocolVersionMin);
  reply.set_max_version(proto::kProtocolVersionMax);
  reply.set_cluster_id(config_.node.cluster_id);
  reply.set_node_id(config_.node.id.value());
  const uint32_t chosen = std::min<uint32_t>(hello.max_version(), proto::kProtocolVersionMax);
  if (hello.min_version() > hello.max_version() || chosen < hello.min_version() ||
      chosen < proto::kProtocolVersionMin) {
    proto::Error* error = reply.mutable_error();
    fill_error(Status(ErrorCode::kUnsupportedVersion,
                      fmt::format("the caller speaks protocol versions {}..{}; this node "
                                  "speaks {}",
                                  hello.min_version(), hello.max_version(),
                                  proto::kSupportedProtocolVersions.to_string())),
               false, *error);
    error->mutable_supported_versions()->set_min_version(proto::kProtocolVersionMin);
    error->mutable_supported_versions()->set_max_version(proto::kProtocolVersionMax);
    metrics_->protocol_rejected(hello.max_version());
    log_->warn("refused a {} speaking versions {}..{}",
               hello.role() == proto::ROLE_PEER ? "peer" : "client", hello.min_version(),
               hello.max_version());
    return reply;
  }
  if (!hello.cluster_id().empty() && hello.cluster_id() != config_.node.cluster_id) {
    fill_error(Status(ErrorCode::kInvalidArgument,
                      fmt::format("this node belongs to cluster \"{}\", not \"{}\"",
                                  config_.node.cluster_id, hello.cluster_id())),
               false, *reply.mutable_error());
    return reply;
  }
  if (shutting_down_) {
    fill_error(Status(ErrorCode::kShuttingDown, "the node is shutting down"), false,
               *reply.mutable_error());
    return reply;
  }
  reply.set_chosen_version(chosen);
  return reply;
}

void Server::update_gauges() {
  const node::NodeStatus status = node_->status();
  metrics_->set_raft(RaftReading{status.leader != NodeId(0),
                                 status.role == consensus::Role::kLeader, status.term.value(),
                                 status.commit.value(), status.applied.value(),
                                 status.pending_writes,
                                 node_->raft().read_index_rounds_started()});
  // writes, reads, proposals, read_index, staged_values, proposed_values.
  for (const node::NodeQueue& queue : node_->queues()) {
    metrics_->set_queue(queue.name, {queue.depth, queue.capacity});
  }
  metrics_->set_queue("forwarded_writes",
                      {status.pending_forwards, config_.queues.forwarded_writes_max});
  metrics_->set_queue("storage_writes",
                      {writer_->queue_depth(), config_.queues.storage_writes_max});
  metrics_->set_queue("connections", {client_connections_, config_.queues.connections_max});
  // A bound per connection; summed, so depth / capacity is the share of
  // all open connections' request slots in use.
  uint64_t requests_in_flight = 0;
  for (const auto& connection : connections_) {
    if (!connection->on_peer_port()) requests_in_flight += connection->inflight();
  }
  metrics_->set_queue("connection_requests",
                      {requests_in_flight,
                       client_connections_ * config_.queues.inflight_requests_per_connection_max});
  uint64_t peer_queued = 0;
  uint64_t peer_capacity = 0;
  uint64_t peer_queued_bytes = 0;
  const auto now = std::chrono::steady_clock::now();
  const auto active_within =
      std::chrono::milliseconds(config_.raft.election_timeout_ticks * config_.raft.tick_ms);
  for (const auto& [id, link] : peers_) {
    peer_queued += link->queued();
    // Each of the outbox's two lanes holds up to the bound.
    peer_capacity += 2 * config_.queues.peer_outgoing_messages_max;
    peer_queued_bytes += link->queued_bytes();
    PeerTraffic& traffic = peer_traffic_[id];
    const bool connected = link->connected();
    // Heartbeats in flight on a link that went down or came back may never
    // be answered.
    if (connected != traffic.was_connected) traffic.round_trip.reset();
    traffic.was_connected = connected;
    metrics_->peer_state(
        id.value(),
        PeerReading{connected, traffic.last_heard && now - *traffic.last_heard <= active_within,
                    link->dropped(), link->sent_bytes(), traffic.received_bytes,
                    link->send_failures()});
  }
  metrics_->set_queue("peer_outgoing", {peer_queued, peer_capacity});
  metrics_->set_queue("peer_outgoing_bytes",
                      {peer_queued_bytes, peers_.size() * config_.queues.peer_outgoing_bytes_max});
}

void Server::update_scrape_gauges() {
  metrics_->set_storage(storage_->stats(), config_.storage.space_quota_bytes);
}

MetricsHttp::Health Server::health() const {
  const node::NodeStatus status = node_->status();
  std::string reason;
  if (shutting_down_) {
    reason = "the node is shutting down";
  } else if (status.leader == NodeId(0)) {
    reason = "no leader is known";
  } else if (status.applied < status.commit) {
    reason = fmt::format("applying: applied index {} is behind commit index {}",
                         status.applied.value(), status.commit.value());
  }
  const bool healthy = reason.empty();
  return MetricsHttp::Health{
      healthy, fmt::format(R"({{"healthy":{},"node":{},"leader":{},"term":{},"commit":{},)"
                           R"("applied":{},"revision":{},"reason":{}}})",
                           healthy, status.id.value(), status.leader.value(), status.term.value(),
                           status.commit.value(), status.applied.value(),
                           status.revision.value(), json_quote(reason))};
}

std::string Server::client_address_of(NodeId id) const {
  for (const ClusterMember& member : config_.cluster.members) {
    if (member.id == id) return member.client_address.to_string();
  }
  return {};
}

void Server::send(NodeId to, node::PeerMessage message) {
  auto link = peers_.find(to);
  if (link == peers_.end()) return;
  const uint64_t lamport = node::lamport_time_of(message) != 0 ? node::lamport_time_of(message)
                                                               : lamport_time();
  if (const auto* raft = std::get_if<node::RaftPeerMessage>(&message);
      raft != nullptr && raft->raft.type == consensus::MessageType::kHeartbeat) {
    peer_traffic_[to].round_trip.heartbeat_sent(std::chrono::steady_clock::now());
  }
  const PeerOutbox::Lane lane = peer_lane(message);
  for (WireMessage& wire : encode_peer_message(std::move(message))) {
    proto::Envelope envelope;
    envelope.set_protocol_version(proto::kProtocolVersionMin);
    envelope.set_lamport_time(lamport);
    envelope.set_kind(wire.kind);
    envelope.set_payload(std::move(wire.payload));
    link->second->send(std::move(envelope), lane);
  }
}

void Server::persist(WriteBatch batch, Sync sync, std::function<void(Status)> done) {
  writer_->write(std::move(batch), sync, std::move(done));
}

void Server::defer(std::function<void()> work) {
  // Behind every handler already queued: the requests and appends read in
  // this turn of the event loop reach the node before it drains.
  asio::post(io_, [this, work = std::move(work)] {
    if (node_) work();
  });
}

void Server::peer_message(NodeId from, const proto::Envelope& envelope) {
  const auto now = std::chrono::steady_clock::now();
  if (auto traffic = peer_traffic_.find(from); traffic != peer_traffic_.end()) {
    traffic->second.received_bytes += proto::kFrameHeaderBytes + envelope.ByteSizeLong();
    traffic->second.last_heard = now;
  }
  Result<node::PeerMessage> message = decode_peer_message(envelope);
  if (!message.is_ok()) {
    log_->warn("dropped a message from peer {}: {}", from.value(), message.status().to_string());
    return;
  }
  if (const auto* raft = std::get_if<node::RaftPeerMessage>(&*message);
      raft != nullptr && raft->raft.type == consensus::MessageType::kHeartbeatResponse) {
    if (auto traffic = peer_traffic_.find(from); traffic != peer_traffic_.end()) {
      if (std::optional<double> seconds = traffic->second.round_trip.response_received(now)) {
        metrics_->peer_round_trip(from.value(), *seconds);
      }
    }
  }
  node_->receive(from, std::move(message).value());
}

void Server::client_call(const std::shared_ptr<InboundConnection>& connection,
                         const proto::Envelope& envelope) {
  proto::Envelope answer;
  answer.set_protocol_version(connection->version());
  answer.set_request_id(envelope.request_id());
  Result<ClientCall> call = decode_client_request(envelope);
  if (!call.is_ok()) {
    proto::ErrorReply reply;
    fill_error(call.status(), false, *reply.mutable_error());
    answer.set_lamport_time(lamport_time());
    answer.set_kind(proto::MESSAGE_KIND_ERROR_REPLY);
    answer.set_payload(reply.SerializeAsString());
    connection->respond(std::move(answer));
    return;
  }
  answer.set_kind(call->response_kind);
  if (call->is_status) {
    const node::NodeStatus status = node_->status();
    proto::StatusResponse response;
    response.mutable_header()->set_revision(status.revision.value());
    response.mutable_header()->set_raft_term(status.term.value());
    response.mutable_header()->set_node_id(status.id.value());
    response.set_raft_role(wire_role(status.role));
    response.set_leader_id(status.leader.value());
    response.set_commit_index(status.commit.value());
    response.set_applied_index(status.applied.value());
    response.set_cluster_id(config_.node.cluster_id);
    response.set_min_protocol_version(proto::kProtocolVersionMin);
    response.set_max_protocol_version(proto::kProtocolVersionMax);
    response.set_software_version(kSoftwareVersion);
    answer.set_lamport_time(lamport_time());
    answer.set_payload(response.SerializeAsString());
    connection->respond(std::move(answer));
    return;
  }
  const std::string op(node::request_name(call->request));
  if (!connection->try_start_request()) {
    metrics_->queue_refused("connection_requests");
    node::ClientResponse refused;
    refused.status = Status(ErrorCode::kOverloaded,
                            fmt::format("this connection has {} requests outstanding; the "
                                        "limit is inflight_requests_per_connection_max",
                                        config_.queues.inflight_requests_per_connection_max));
    answer.set_lamport_time(lamport_time());
    answer.set_payload(encode_client_response(call->response_kind, refused, {}));
    connection->respond(std::move(answer));
    return;
  }
  uint64_t deadline = call->deadline_ms == 0 ? config_.limits.request_deadline_ms_default
                                             : call->deadline_ms;
  deadline = std::min(deadline, config_.limits.request_deadline_ms_max);
  std::weak_ptr<InboundConnection> weak = connection;
  const proto::MessageKind kind = call->response_kind;
  const auto started = std::chrono::steady_clock::now();
  metrics_->request_started(op);
  node_->submit(std::move(call->request), monotonic_ms() + deadline,
                [this, weak, answer, kind, op, started](node::ClientResponse response) mutable {
                  const double seconds =
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                          .count();
                  metrics_->request_finished(op, response.status.code(), seconds);
                  // The request held one of its connection's slots until now.
                  metrics_->queue_waited("connection_requests", seconds);
                  auto connection = weak.lock();
                  if (!connection) return;
                  connection->request_finished();
                  answer.set_lamport_time(lamport_time());
                  answer.set_payload(encode_client_response(
                      kind, response, client_address_of(response.leader_hint)));
                  connection->respond(std::move(answer));
                });
}

}  // namespace quokka::server
