#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "server/node/node_options.h"
#include "tests/sim/checker/history.h"
#include "tests/sim/findings.h"

namespace quokka::sim {

// Everything that shapes one run besides the seed.
struct SimulationOptions {
  uint64_t seed = 1;
  size_t node_count = 3;
  // A name from fault_mix_names().
  std::string fault_mix = "mixed";
  // Simulated time with clients running and faults being injected.
  uint64_t faults_phase_ms = 15'000;
  // After the heal: how long the cluster has to converge and to answer
  // the final reads before the run counts as a liveness failure.
  uint64_t recovery_budget_ms = 60'000;
  // Clients per run: drawn in [clients_min, clients_max].
  uint64_t clients_min = 3;
  uint64_t clients_max = 8;
  // Followers pass writes on to the leader (NodeOptions::forward_writes)
  // instead of refusing them with NOT_LEADER. Off by default, so that every
  // seed recorded before forwarding existed replays as it did.
  bool forward_writes = false;
  // NodeOptions::write_values_bytes_max; 0 keeps the node's default. A tiny
  // budget admits one write with a value at a time, so a budget a node
  // fails to give back stops every write, and the liveness check says so.
  uint64_t write_values_bytes_max = 0;
  // Negative controls: break the node on purpose.
  node::NodeFaultInjection node_faults;
  bool verbose = false;
  // Lines of the trace kept for the failure report.
  size_t trace_lines_kept = 60;
};

// What one run did and found.
struct SimulationReport {
  uint64_t seed = 0;
  RunVerdict verdict = RunVerdict::kOk;
  std::vector<Finding> findings;
  // One line: nodes, mix, workloads, clients, operations, simulated time.
  std::string summary;
  // The quokka-sim arguments that replay this run.
  std::string replay_arguments;
  // The fault mix resolved for this seed, and every fault as carried out.
  std::string fault_mix;
  std::vector<std::string> fault_log;
  std::vector<std::string> last_events;
  std::string final_nodes;
  // Same seed, same digest: folds the trace and the whole history.
  uint64_t digest = 0;
  History history;
  uint64_t operations = 0;
  uint64_t operations_ok = 0;
  // Client writes followers passed on to the leader.
  uint64_t writes_forwarded = 0;
  // Refusals (OVERLOADED) by queue, over all nodes.
  std::map<std::string, uint64_t> refusals_by_queue;
  uint64_t simulated_ms = 0;
  uint64_t events = 0;
  // What the nodes reported through their probes, all nodes together.
  std::map<std::string, uint64_t> queue_items_left;
  uint64_t proposals_committed = 0;
  uint64_t proposals_failed = 0;
  // Large values leaders sent ahead of appends, and how many of those a
  // leader had sent the same follower before.
  uint64_t values_pushed = 0;
  uint64_t values_pushed_again = 0;
  // Values followers asked for (pushes lost or never made).
  uint64_t values_requested = 0;
};

// One whole run: start the cluster; clients run their workloads while the
// faults of the mix come and go; heal everything; wait until the nodes
// agree and a write goes through; read every key linearizably; then check
// the history for linearizability, exactly-once and revision order, and the
// nodes for equal state at equal applied index.
SimulationReport run_simulation(const SimulationOptions& options);

// The options the simulator gives its nodes: fast ticks and small limits,
// so that elections, large values and snapshots all happen in a short run.
node::NodeOptions simulation_node_options();

}  // namespace quokka::sim
