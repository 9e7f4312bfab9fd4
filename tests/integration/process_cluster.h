#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "client/client.h"
#include "common/types.h"
#include "tests/integration/node_process.h"
#include "tests/support/temp_directory.h"

namespace quokka::integration {

// The daemon's raft timing, as the tests assume it (the defaults).
inline constexpr std::chrono::milliseconds kTick{100};
inline constexpr int kElectionTimeoutTicks = 10;
// A follower campaigns after a random time in [E, 2E).
inline constexpr std::chrono::milliseconds kElectionTimeout = kTick * kElectionTimeoutTicks;

struct ProcessClusterOptions {
  size_t nodes = 3;
  // "section.field=value" settings given to every node, after the ones the
  // cluster sets itself (ports, members, id, data directory).
  std::vector<std::string> settings;
  // Bound on each wait for a node's client port to accept connections.
  std::chrono::milliseconds start_timeout{10000};
  // The peer address node `dialer` is told to dial for member `peer`, given
  // the address `peer` listens on; unset means that address itself. Called
  // while start() builds the nodes' arguments, again on each attempt that
  // picks new ports. Lets a test put a proxy in front of each directed
  // link. (A node's own entry always names its real address: the daemon
  // checks it against listen.peer_address.)
  std::function<std::string(NodeId dialer, NodeId peer, const std::string& peer_address)>
      peer_dial_address{};
};

// A leader as the cluster reports it.
struct LeaderInfo {
  NodeId id;
  Term term;
};

// A cluster of real quokkad processes on 127.0.0.1: node ids 1..N, ports
// picked free per cluster (so tests run in parallel), one temporary
// directory holding each node's data directory and log file. Faults go to
// one node by the pid this object started: kill (SIGKILL), pause (SIGSTOP),
// resume (SIGCONT), terminate (SIGTERM, then the exit status), restart on
// the same data directory and ports. Every wait is bounded. The destructor
// stops exactly the processes it started, and prints each node's log tail
// when the current test has failed.
class ProcessCluster {
 public:
  explicit ProcessCluster(ProcessClusterOptions options = {});
  ~ProcessCluster();

  ProcessCluster(const ProcessCluster&) = delete;
  ProcessCluster& operator=(const ProcessCluster&) = delete;

  // Starts every node and waits until each accepts client connections. If a
  // port was taken in the meantime, picks new ones and tries again.
  ::testing::AssertionResult start();

  size_t size() const { return nodes_.size(); }
  std::vector<NodeId> node_ids() const;
  // "127.0.0.1:PORT" of the node's client listener.
  std::string client_endpoint(NodeId id) const;
  // Every node's client endpoint, in id order.
  std::vector<std::string> client_endpoints() const;
  // "127.0.0.1:PORT" of the node's metrics listener (GET /metrics, /health).
  std::string metrics_endpoint(NodeId id) const;
  pid_t pid(NodeId id) const;
  bool running(NodeId id);

  void kill(NodeId id);
  void pause(NodeId id);
  void resume(NodeId id);
  // SIGTERM (a paused node is resumed first, or it could not act on it),
  // then waits for the exit; success only for exit status 0.
  ::testing::AssertionResult terminate(NodeId id, std::chrono::milliseconds timeout);
  // Starts a node that is not running, on its old data directory and ports,
  // and waits until it accepts client connections.
  ::testing::AssertionResult restart(NodeId id);

  // Polls Client::status() on every node not in `excluded` until one node
  // says it leads and a majority of the whole cluster (that node included)
  // names it leader in the same term. Nothing when `timeout` passes; the
  // last statuses seen are then in last_status_report().
  std::optional<LeaderInfo> wait_for_leader(std::chrono::milliseconds timeout,
                                            const std::set<NodeId>& excluded = {});
  const std::string& last_status_report() const { return last_status_report_; }

  // A client of the given nodes (every node when empty), in that order.
  std::unique_ptr<client::Client> make_client(const std::vector<NodeId>& nodes = {},
                                              client::ClientOptions options = {}) const;

  std::string log_tail(NodeId id, size_t lines = 40) const;
  std::string log_contents(NodeId id) const;
  // Every node's log tail, for a failure message.
  std::string log_tails(size_t lines = 40) const;

 private:
  struct Node {
    NodeId id;
    uint16_t client_port = 0;
    uint16_t peer_port = 0;
    uint16_t metrics_port = 0;
    std::string data_dir;
    std::unique_ptr<NodeProcess> process;
  };

  void assign_ports();
  std::vector<std::string> arguments_of(const Node& node) const;
  Node& node(NodeId id);
  const Node& node(NodeId id) const;
  // Waits until the node's client port accepts a TCP connection, or the
  // process exits; empty on success, else what happened.
  std::string wait_until_listening(Node& node);

  ProcessClusterOptions options_;
  testing::TempDirectory directory_;
  std::vector<Node> nodes_;
  std::string last_status_report_;
};

// Microseconds on the monotonic clock since the first call in this process:
// timestamps for histories and timings.
uint64_t monotonic_micros();

}  // namespace quokka::integration
