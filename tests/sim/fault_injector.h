#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/deterministic_random.h"
#include "tests/sim/fault_plan.h"
#include "tests/sim/scheduler.h"
#include "tests/sim/sim_cluster.h"
#include "tests/sim/trace.h"

namespace quokka::sim {

// Carries out a fault plan on the cluster: each fault starts at its time,
// picks its victims then, and ends after its duration. Partitions replace
// each other (a new one heals the last first), as do link-fault settings.
// Everything it did is in log(), one line per action, for the failure
// report.
class FaultInjector {
 public:
  FaultInjector(SimCluster& cluster, Scheduler& scheduler, DeterministicRandom& random,
                Trace& trace)
      : cluster_(cluster), scheduler_(scheduler), random_(random), trace_(trace) {}

  void schedule(const std::vector<FaultEvent>& plan);
  // Stops faults that have not started yet, and the ends of running ones
  // (the caller heals the cluster itself).
  void stop() { stopped_ = true; }

  const std::vector<std::string>& log() const { return log_; }

 private:
  void start(const FaultEvent& event);
  void record(std::string line);
  NodeId pick_node(uint64_t pick) const;

  SimCluster& cluster_;
  Scheduler& scheduler_;
  DeterministicRandom& random_;
  Trace& trace_;
  bool stopped_ = false;
  // Bumped by every partition and link-fault change, so that the end of an
  // older one does not undo a newer one.
  uint64_t partition_epoch_ = 0;
  uint64_t link_epoch_ = 0;
  uint64_t client_link_epoch_ = 0;
  std::vector<std::string> log_;
};

}  // namespace quokka::sim
