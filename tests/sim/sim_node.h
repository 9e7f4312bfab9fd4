#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/deterministic_random.h"
#include "server/node/node.h"
#include "tests/sim/scheduler.h"
#include "tests/sim/sim_disk.h"
#include "tests/sim/sim_env.h"
#include "tests/sim/trace.h"

namespace quokka::sim {

// What a simulated node needs from the world around it.
struct SimNodeWorld {
  Scheduler& scheduler;
  DeterministicRandom& random;
  Trace& trace;
  // Counts what the nodes report; outlives every node.
  node::NodeProbe& probe;
  // Puts a peer message on the network.
  std::function<void(NodeId from, NodeId to, node::PeerMessage message)> send;
};

// One node of the simulated cluster, through its life: a process (the
// quokka Node and its Env) over a disk that survives it. The process can
// crash (the Node and every callback it is owed vanish; the disk loses
// unsynced writes), restart from its disk, and pause (like SIGSTOP: it runs
// nothing while time passes, and then handles what queued up meanwhile).
//
// Everything that enters the process — ticks, peer messages, client
// requests, disk completions — comes through run_in_process(), which is
// where crash and pause take effect.
class SimNode {
 public:
  SimNode(NodeId id, node::NodeOptions options, SimNodeWorld world, DiskTiming disk_timing);
  ~SimNode();

  NodeId id() const { return id_; }
  bool up() const { return node_ != nullptr; }
  bool paused() const { return paused_; }
  uint64_t incarnation() const { return incarnation_; }
  SimDisk& disk() { return disk_; }
  // Null while down.
  node::Node* node() { return node_.get(); }
  const node::Node* node() const { return node_.get(); }

  // Opens storage and the Node; the error says why it would not open.
  Status start();
  // Kills the process; returns a line for the trace.
  std::string crash();
  void pause();
  void resume();

  // Shifts this machine's wall clock; the monotonic clock does not move.
  void jump_wall_clock(int64_t delta_ms) { wall_offset_ms_ += delta_ms; }

  // Monotonic and wall clocks of this machine.
  uint64_t monotonic_ms() const;
  uint64_t wall_ms() const;
  // A simulated time as this machine's monotonic time.
  uint64_t to_monotonic(uint64_t sim_ms) const { return sim_ms + monotonic_base_ms_; }

  // Runs `work` in the process: now if it runs, at resume if paused, never
  // if it is down (or has restarted since `incarnation`).
  void run_in_process(uint64_t incarnation, std::function<void()> work);
  void run_in_process(std::function<void()> work) {
    run_in_process(incarnation_, std::move(work));
  }

  void tick();
  void deliver(NodeId from, node::PeerMessage message);
  // Submits a client request; `deadline_sim_ms` is simulated time.
  void submit(node::ClientRequest request, uint64_t deadline_sim_ms,
              node::ResponseCallback done);

  // Called by SimEnv.
  void env_send(uint64_t incarnation, NodeId to, node::PeerMessage message);
  void env_persist(uint64_t incarnation, WriteBatch batch, Sync sync,
                   std::function<void(Status)> done);
  // Runs `work` after the events already due now (the event loop's next
  // turn), in the same incarnation.
  void env_defer(uint64_t incarnation, std::function<void()> work);

 private:
  NodeId id_;
  node::NodeOptions options_;
  SimNodeWorld world_;
  SimDisk disk_;
  uint64_t incarnation_ = 0;
  std::unique_ptr<SimEnv> env_;
  std::unique_ptr<node::Node> node_;
  bool paused_ = false;
  std::deque<std::function<void()>> deferred_;
  // This machine's clocks: monotonic = simulated time + base (a machine
  // booted long ago); wall = epoch + simulated time + offset (jumps).
  uint64_t monotonic_base_ms_ = 0;
  int64_t wall_offset_ms_ = 0;
};

}  // namespace quokka::sim
