#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/deterministic_random.h"
#include "server/node/node_options.h"
#include "tests/sim/findings.h"
#include "tests/sim/scheduler.h"
#include "tests/sim/sim_disk.h"
#include "tests/sim/sim_network.h"
#include "tests/sim/sim_node.h"
#include "tests/sim/trace.h"

namespace quokka::sim {

struct ClusterOptions {
  size_t node_count = 3;
  // The template every node's options start from (id and members are set
  // per node).
  node::NodeOptions node;
  DiskTiming disk;
  LinkFaults peer_links;
  LinkFaults client_links;
  // How often every node's state hash is compared with the others' at the
  // same applied index.
  uint64_t state_hash_interval_ms = 250;
};

// The simulated cluster: N nodes on one network, one clock, one seed. It
// ticks every node every tick_ms, carries their messages, applies faults on
// request, and watches invariants that hold at every moment:
//   - per process: term, commit, applied and revision never go back;
//   - election safety: at most one leader per term (Raft §5.2);
//   - state machine safety: nodes at the same applied index have the same
//     state hash.
class SimCluster {
 public:
  SimCluster(const ClusterOptions& options, Scheduler& scheduler,
             DeterministicRandom& random, Trace& trace, Findings& findings,
             node::NodeProbe& probe);
  ~SimCluster();

  // Opens every node and starts the clocks.
  void start();

  const ClusterOptions& options() const { return options_; }
  std::vector<NodeId> node_ids() const;
  SimNode& node(NodeId id) { return *nodes_.at(id); }
  SimNetwork& network() { return network_; }

  // The leader of the highest term that some running node reports being
  // leader in, if any.
  std::optional<NodeId> leader() const;

  // Faults. Each writes a line to the trace.
  void crash(NodeId id);
  void restart(NodeId id);
  void pause(NodeId id);
  void resume(NodeId id);
  void set_slow_disk(NodeId id, bool slow);
  void jump_wall_clock(NodeId id, int64_t delta_ms);
  void partition(const std::vector<std::vector<Endpoint>>& groups, const std::string& why);
  void cut(Endpoint from, Endpoint to);
  void set_peer_faults(const LinkFaults& faults);
  void set_client_faults(const LinkFaults& faults);
  // Ends every fault: links restored and clean, disks fast, nodes running.
  void heal_all();

  // Every node runs, has applied the same index as every other, that index
  // is the leader's commit index, and their state hashes are equal.
  bool converged();
  // One line per node: role, term, commit, applied, revision.
  std::string describe_nodes() const;

  // Compares the state hashes of all running nodes now.
  void compare_state_hashes();
  // End of run: every value a key points to (on any node) is held by a
  // majority of the nodes and re-hashes to its id (DESIGN.md "Write path" 4:
  // a committed pointer always has its value on a majority).
  void check_values_on_majority();

 private:
  void schedule_tick(NodeId id, uint64_t at_ms);
  void observe(SimNode& node);
  void schedule_state_hash_check();

  // Highest values one process has shown; reset when it restarts.
  struct Watermark {
    uint64_t incarnation = 0;
    Term term;
    LogIndex commit;
    LogIndex applied;
    Revision revision;
  };

  ClusterOptions options_;
  Scheduler& scheduler_;
  DeterministicRandom& random_;
  Trace& trace_;
  Findings& findings_;
  SimNetwork network_;
  std::map<NodeId, std::unique_ptr<SimNode>> nodes_;
  std::map<NodeId, Watermark> watermarks_;
  // Raft §5.2 election safety: term -> the one leader it may have.
  std::map<Term, NodeId> leader_of_term_;
  // applied index -> (state hash digest, node that first showed it).
  std::map<LogIndex, std::pair<std::string, NodeId>> hash_at_index_;
};

}  // namespace quokka::sim
