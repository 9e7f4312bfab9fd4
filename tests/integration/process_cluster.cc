#include "tests/integration/process_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "common/assert.h"
#include "tests/integration/free_ports.h"

#ifndef QUOKKA_QUOKKAD_PATH
#error "QUOKKA_QUOKKAD_PATH must name the quokkad binary"
#endif

namespace quokka::integration {
namespace {

constexpr int kStartAttemptsMax = 3;
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr auto kStatusDeadline = std::chrono::milliseconds(500);

std::string loopback(uint16_t port) { return fmt::format("127.0.0.1:{}", port); }

// One TCP connect to 127.0.0.1:port; true when it was accepted.
bool accepts_connections(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool connected =
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return connected;
}

}  // namespace

uint64_t monotonic_micros() {
  static const auto origin = std::chrono::steady_clock::now();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - origin)
                                   .count());
}

ProcessCluster::ProcessCluster(ProcessClusterOptions options) : options_(std::move(options)) {
  QUOKKA_ASSERT(options_.nodes >= 1, "a cluster needs a node");
  for (size_t i = 0; i < options_.nodes; ++i) {
    Node node;
    node.id = NodeId(i + 1);
    node.data_dir = (directory_.path() / fmt::format("node{}", i + 1)).string();
    nodes_.push_back(std::move(node));
  }
  monotonic_micros();
}

ProcessCluster::~ProcessCluster() {
  if (::testing::Test::HasFailure()) std::cerr << log_tails(60);
  // SIGKILL: nothing the test checks depends on a clean stop here, and it
  // works on paused processes too.
  for (Node& node : nodes_) {
    if (node.process) node.process->kill();
  }
}

void ProcessCluster::assign_ports() {
  const std::vector<uint16_t> ports = pick_free_ports(3 * nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].client_port = ports[3 * i];
    nodes_[i].peer_port = ports[3 * i + 1];
    nodes_[i].metrics_port = ports[3 * i + 2];
  }
}

std::vector<std::string> ProcessCluster::arguments_of(const Node& node) const {
  std::string members = "cluster.members=[";
  for (size_t i = 0; i < nodes_.size(); ++i) {
    std::string peer_address = loopback(nodes_[i].peer_port);
    if (options_.peer_dial_address && nodes_[i].id != node.id) {
      peer_address = options_.peer_dial_address(node.id, nodes_[i].id, peer_address);
    }
    members += fmt::format("{}{{id={}, peer_address=\"{}\", client_address=\"{}\"}}",
                           i == 0 ? "" : ", ", nodes_[i].id.value(), peer_address,
                           loopback(nodes_[i].client_port));
  }
  members += "]";
  std::vector<std::string> arguments = {
      "--set", fmt::format("node.id={}", node.id.value()),
      "--set", "node.cluster_id=quokka-integration",
      "--data-dir", node.data_dir,
      "--set", "listen.client_address=" + loopback(node.client_port),
      "--set", "listen.peer_address=" + loopback(node.peer_port),
      "--set", "listen.metrics_address=" + loopback(node.metrics_port),
      "--set", members,
  };
  for (const std::string& setting : options_.settings) {
    arguments.push_back("--set");
    arguments.push_back(setting);
  }
  return arguments;
}

::testing::AssertionResult ProcessCluster::start() {
  std::string problems;
  for (int attempt = 1; attempt <= kStartAttemptsMax; ++attempt) {
    assign_ports();
    for (Node& node : nodes_) {
      if (node.process) node.process->kill();
      node.process = std::make_unique<NodeProcess>(
          QUOKKA_QUOKKAD_PATH, arguments_of(node),
          directory_.path() / fmt::format("node{}.log", node.id.value()));
      if (std::string error = node.process->start(); !error.empty()) {
        return ::testing::AssertionFailure() << "node " << node.id << ": " << error;
      }
    }
    bool port_taken = false;
    problems.clear();
    for (Node& node : nodes_) {
      std::string error = wait_until_listening(node);
      if (error.empty()) continue;
      problems += fmt::format("node {}: {}\n", node.id.value(), error);
      if (node.process->log_contents().find("cannot listen") != std::string::npos) {
        port_taken = true;
      }
    }
    if (problems.empty()) return ::testing::AssertionSuccess();
    if (!port_taken) break;
    std::cerr << "a port was taken before the daemon bound it; picking new ports\n";
  }
  return ::testing::AssertionFailure() << "the cluster did not start:\n"
                                       << problems << log_tails(20);
}

std::string ProcessCluster::wait_until_listening(Node& node) {
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!node.process->running()) {
      const std::optional<int> status = node.process->last_exit_status();
      return fmt::format("quokkad {} before it listened",
                         status ? describe_wait_status(*status) : std::string("stopped"));
    }
    if (accepts_connections(node.client_port)) return {};
    std::this_thread::sleep_for(kPollInterval);
  }
  return fmt::format("not listening on {} after {} ms", loopback(node.client_port),
                     options_.start_timeout.count());
}

std::vector<NodeId> ProcessCluster::node_ids() const {
  std::vector<NodeId> ids;
  for (const Node& node : nodes_) ids.push_back(node.id);
  return ids;
}

ProcessCluster::Node& ProcessCluster::node(NodeId id) {
  QUOKKA_ASSERT(id.value() >= 1 && id.value() <= nodes_.size(), "no node {}", id.value());
  return nodes_[id.value() - 1];
}

const ProcessCluster::Node& ProcessCluster::node(NodeId id) const {
  QUOKKA_ASSERT(id.value() >= 1 && id.value() <= nodes_.size(), "no node {}", id.value());
  return nodes_[id.value() - 1];
}

std::string ProcessCluster::client_endpoint(NodeId id) const {
  return loopback(node(id).client_port);
}

std::string ProcessCluster::metrics_endpoint(NodeId id) const {
  return loopback(node(id).metrics_port);
}

std::vector<std::string> ProcessCluster::client_endpoints() const {
  std::vector<std::string> endpoints;
  for (const Node& node : nodes_) endpoints.push_back(loopback(node.client_port));
  return endpoints;
}

pid_t ProcessCluster::pid(NodeId id) const {
  const Node& n = node(id);
  return n.process ? n.process->pid() : 0;
}

bool ProcessCluster::running(NodeId id) {
  Node& n = node(id);
  return n.process && n.process->running();
}

void ProcessCluster::kill(NodeId id) {
  Node& n = node(id);
  if (n.process) n.process->kill();
}

void ProcessCluster::pause(NodeId id) {
  Node& n = node(id);
  if (n.process) n.process->pause();
}

void ProcessCluster::resume(NodeId id) {
  Node& n = node(id);
  if (n.process) n.process->resume();
}

::testing::AssertionResult ProcessCluster::terminate(NodeId id,
                                                     std::chrono::milliseconds timeout) {
  Node& n = node(id);
  if (!n.process || !n.process->running()) {
    return ::testing::AssertionFailure() << "node " << id << " is not running";
  }
  n.process->signal(SIGCONT);
  n.process->signal(SIGTERM);
  const std::optional<int> status = n.process->wait_for_exit(timeout);
  if (!status) {
    n.process->kill();
    return ::testing::AssertionFailure()
           << "node " << id << " was still running " << timeout.count()
           << " ms after SIGTERM (killed it)";
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    return ::testing::AssertionFailure()
           << "node " << id << " " << describe_wait_status(*status) << " after SIGTERM";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult ProcessCluster::restart(NodeId id) {
  Node& n = node(id);
  if (n.process && n.process->running()) {
    return ::testing::AssertionFailure() << "node " << id << " is still running";
  }
  if (!n.process) {
    return ::testing::AssertionFailure() << "node " << id << " was never started";
  }
  if (std::string error = n.process->start(); !error.empty()) {
    return ::testing::AssertionFailure() << "node " << id << ": " << error;
  }
  if (std::string error = wait_until_listening(n); !error.empty()) {
    return ::testing::AssertionFailure() << "node " << id << " did not come back: " << error
                                         << "\n" << n.process->log_tail(20);
  }
  return ::testing::AssertionSuccess();
}

std::optional<LeaderInfo> ProcessCluster::wait_for_leader(std::chrono::milliseconds timeout,
                                                          const std::set<NodeId>& excluded) {
  std::vector<NodeId> asked;
  for (const Node& n : nodes_) {
    if (excluded.count(n.id) == 0) asked.push_back(n.id);
  }
  client::ClientOptions options;
  options.connect_timeout = kStatusDeadline;
  options.retry.attempt_timeout = kStatusDeadline;
  std::unique_ptr<client::Client> client = make_client(asked, options);
  const size_t majority = nodes_.size() / 2 + 1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const std::vector<client::EndpointStatus> statuses =
        client->status(client::RequestOptions{kStatusDeadline});
    last_status_report_.clear();
    // (leader, term) -> the nodes that name it, the leader itself included.
    std::map<std::pair<uint64_t, uint64_t>, size_t> votes;
    std::set<std::pair<uint64_t, uint64_t>> self_declared;
    for (const client::EndpointStatus& status : statuses) {
      if (!status.status.is_ok()) {
        last_status_report_ += fmt::format("  {}: {}\n", status.endpoint,
                                           status.status.error().to_string());
        continue;
      }
      const client::NodeStatus& s = status.status.value();
      last_status_report_ += fmt::format(
          "  {}: node {} {} term {} leader {} commit {} applied {}\n", status.endpoint,
          s.header.node.value(), client::raft_role_name(s.role), s.header.term.value(),
          s.leader.value(), s.commit_index.value(), s.applied_index.value());
      if (s.leader == NodeId(0)) continue;
      const auto key = std::make_pair(s.leader.value(), s.header.term.value());
      ++votes[key];
      if (s.role == client::RaftRole::kLeader && s.leader == s.header.node) {
        self_declared.insert(key);
      }
    }
    for (const auto& key : self_declared) {
      if (votes[key] >= majority) return LeaderInfo{NodeId(key.first), Term(key.second)};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::cerr << "no leader within " << timeout.count() << " ms; last statuses:\n"
                << last_status_report_;
      return std::nullopt;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::unique_ptr<client::Client> ProcessCluster::make_client(const std::vector<NodeId>& nodes,
                                                            client::ClientOptions options) const {
  options.endpoints.clear();
  if (nodes.empty()) {
    options.endpoints = client_endpoints();
  } else {
    for (NodeId id : nodes) options.endpoints.push_back(client_endpoint(id));
  }
  Result<std::unique_ptr<client::Client>> client = client::Client::create(std::move(options));
  QUOKKA_ASSERT(client.is_ok(), "cannot create a client: {}", client.status().to_string());
  return std::move(client).value();
}

std::string ProcessCluster::log_tail(NodeId id, size_t lines) const {
  const Node& n = node(id);
  return n.process ? n.process->log_tail(lines) : std::string();
}

std::string ProcessCluster::log_contents(NodeId id) const {
  const Node& n = node(id);
  return n.process ? n.process->log_contents() : std::string();
}

std::string ProcessCluster::log_tails(size_t lines) const {
  std::string out;
  for (const Node& n : nodes_) {
    out += fmt::format("---- node {} (pid {}), last {} log lines ----\n", n.id.value(),
                       n.process ? n.process->pid() : 0, lines);
    out += log_tail(n.id, lines);
  }
  return out;
}

}  // namespace quokka::integration
