#include "tests/sim/sim_node.h"

#include <fmt/format.h>

namespace quokka::sim {

namespace {
// Wall clocks start at 2023-11-14T22:13:20Z, far from 0, so a backward jump
// of hours cannot go below the epoch.
constexpr uint64_t kWallEpochMs = 1'700'000'000'000ULL;
}  // namespace

SimNode::SimNode(NodeId id, node::NodeOptions options, SimNodeWorld world,
                 DiskTiming disk_timing)
    : id_(id), options_(std::move(options)), world_(std::move(world)),
      disk_(world_.scheduler, world_.random, disk_timing) {
  monotonic_base_ms_ = world_.random.between(0, 1'000'000'000);
}

SimNode::~SimNode() {
  // The Node must go before the Storage it refers to.
  ++incarnation_;
  node_.reset();
  env_.reset();
}

uint64_t SimNode::monotonic_ms() const {
  return to_monotonic(world_.scheduler.now_ms());
}

uint64_t SimNode::wall_ms() const {
  const int64_t wall = static_cast<int64_t>(kWallEpochMs + world_.scheduler.now_ms()) +
                       wall_offset_ms_;
  return wall < 0 ? 0 : static_cast<uint64_t>(wall);
}

Status SimNode::start() {
  QUOKKA_ASSERT(!up(), "node {} started twice", id_.value());
  if (!disk_.is_open()) {
    Status opened = disk_.open();
    if (!opened.is_ok()) return opened;
  }
  ++incarnation_;
  paused_ = false;
  deferred_.clear();
  node::NodeOptions options = options_;
  // Each incarnation draws its own election timeouts.
  options.raft.random_seed = world_.random.next();
  // Unique per run of this node, and drawn without touching the shared
  // random sequence, so runs without forwarding replay unchanged.
  options.incarnation = incarnation_;
  env_ = std::make_unique<SimEnv>(*this, incarnation_);
  auto opened = node::Node::open(options, *env_, disk_.storage(), &world_.probe);
  if (!opened.is_ok()) {
    env_.reset();
    return opened.status();
  }
  node_ = std::move(opened).value();
  return Status::ok();
}

std::string SimNode::crash() {
  // Bump first: whatever the dying Node still calls (sends, persists,
  // client callbacks from its destructor) belongs to a dead process.
  ++incarnation_;
  node_.reset();
  env_.reset();
  paused_ = false;
  deferred_.clear();
  const SimDisk::CrashLoss loss = disk_.crash();
  return fmt::format("crash node {}: disk kept {} and lost {} unsynced batches",
                     id_.value(), loss.kept, loss.lost);
}

void SimNode::pause() {
  if (up()) paused_ = true;
}

void SimNode::resume() {
  if (!paused_) return;
  paused_ = false;
  // Handle what queued up while stopped, in arrival order; a deferred item
  // may itself be for a process that has since died.
  std::deque<std::function<void()>> work = std::move(deferred_);
  deferred_.clear();
  for (auto& item : work) {
    if (paused_ || !up()) break;
    item();
  }
}

void SimNode::run_in_process(uint64_t incarnation, std::function<void()> work) {
  if (!up() || incarnation != incarnation_) return;
  if (paused_) {
    const uint64_t captured = incarnation_;
    deferred_.push_back([this, captured, work = std::move(work)] {
      if (up() && captured == incarnation_) work();
    });
    return;
  }
  work();
}

void SimNode::tick() {
  // A paused process misses its timer; it does not catch up.
  if (!up() || paused_) return;
  node_->tick();
}

void SimNode::deliver(NodeId from, node::PeerMessage message) {
  run_in_process([this, from, message = std::move(message)]() mutable {
    node_->receive(from, std::move(message));
  });
}

void SimNode::submit(node::ClientRequest request, uint64_t deadline_sim_ms,
                     node::ResponseCallback done) {
  const uint64_t incarnation = incarnation_;
  run_in_process([this, incarnation, request = std::move(request), deadline_sim_ms,
                  done = std::move(done)]() mutable {
    // The answer leaves the process only if the process is still the one
    // that took the request.
    node_->submit(std::move(request), to_monotonic(deadline_sim_ms),
                  [this, incarnation, done = std::move(done)](node::ClientResponse response) {
                    if (incarnation != incarnation_) return;
                    done(std::move(response));
                  });
  });
}

void SimNode::env_send(uint64_t incarnation, NodeId to, node::PeerMessage message) {
  if (incarnation != incarnation_) return;
  world_.send(id_, to, std::move(message));
}

void SimNode::env_defer(uint64_t incarnation, std::function<void()> work) {
  if (incarnation != incarnation_) return;
  world_.scheduler.after(0, [this, incarnation, work = std::move(work)]() mutable {
    run_in_process(incarnation, std::move(work));
  });
}

void SimNode::env_persist(uint64_t incarnation, WriteBatch batch, Sync sync,
                          std::function<void(Status)> done) {
  if (incarnation != incarnation_) return;
  disk_.persist(std::move(batch), sync, [this, incarnation, done = std::move(done)](Status status) {
    // The disk finishes while the process is stopped; the process learns of
    // it when it runs again.
    run_in_process(incarnation, [done, status] { done(status); });
  });
}

}  // namespace quokka::sim
