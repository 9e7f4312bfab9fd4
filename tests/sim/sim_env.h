#pragma once

#include <cstdint>
#include <functional>

#include "server/node/env.h"

namespace quokka::sim {

class SimNode;

// The Env of one incarnation of a simulated node process: clocks from the
// scheduler, sends onto the simulated network, persists onto the simulated
// disk. Everything it hands back to the node (persist callbacks) goes
// through SimNode, which drops it after a crash and holds it during a pause.
class SimEnv final : public node::Env {
 public:
  SimEnv(SimNode& node, uint64_t incarnation) : node_(node), incarnation_(incarnation) {}

  uint64_t monotonic_ms() const override;
  uint64_t wall_ms() const override;
  void send(NodeId to, node::PeerMessage message) override;
  void persist(WriteBatch batch, Sync sync, std::function<void(Status)> done) override;
  void defer(std::function<void()> work) override;

 private:
  SimNode& node_;
  // The process this Env belongs to; calls from a dead one are ignored.
  uint64_t incarnation_;
};

}  // namespace quokka::sim
