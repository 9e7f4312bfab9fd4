#include "tests/sim/sim_env.h"

#include "tests/sim/sim_node.h"

namespace quokka::sim {

uint64_t SimEnv::monotonic_ms() const { return node_.monotonic_ms(); }

uint64_t SimEnv::wall_ms() const { return node_.wall_ms(); }

void SimEnv::send(NodeId to, node::PeerMessage message) {
  node_.env_send(incarnation_, to, std::move(message));
}

void SimEnv::persist(WriteBatch batch, Sync sync, std::function<void(Status)> done) {
  node_.env_persist(incarnation_, std::move(batch), sync, std::move(done));
}

void SimEnv::defer(std::function<void()> work) {
  node_.env_defer(incarnation_, std::move(work));
}

}  // namespace quokka::sim
