#include "tests/sim/sim_cluster.h"

#include <set>

#include <fmt/format.h>

#include "server/consensus/ready.h"

namespace quokka::sim {

SimCluster::SimCluster(const ClusterOptions& options, Scheduler& scheduler,
                       DeterministicRandom& random, Trace& trace, Findings& findings,
                       node::NodeProbe& probe)
    : options_(options), scheduler_(scheduler), random_(random), trace_(trace),
      findings_(findings), network_(scheduler, random) {
  network_.set_peer_faults(options_.peer_links);
  network_.set_client_faults(options_.client_links);
  std::vector<NodeId> members;
  for (size_t i = 1; i <= options_.node_count; ++i) members.push_back(NodeId(i));
  for (NodeId id : members) {
    node::NodeOptions node_options = options_.node;
    node_options.id = id;
    node_options.raft.id = id;
    node_options.initial_members = members;
    SimNodeWorld world{
        scheduler_, random_, trace_, probe,
        [this](NodeId from, NodeId to, node::PeerMessage message) {
          auto receiver = nodes_.find(to);
          if (receiver == nodes_.end()) return;
          network_.carry(from.value(), to.value(),
                         [this, from, to, message = std::move(message)] {
                           nodes_.at(to)->deliver(from, message);
                         });
        }};
    nodes_.emplace(id, std::make_unique<SimNode>(id, node_options, std::move(world),
                                                 options_.disk));
  }
}

SimCluster::~SimCluster() = default;

std::vector<NodeId> SimCluster::node_ids() const {
  std::vector<NodeId> ids;
  for (const auto& [id, node] : nodes_) ids.push_back(id);
  return ids;
}

void SimCluster::start() {
  for (auto& [id, node] : nodes_) {
    Status started = node->start();
    QUOKKA_ASSERT(started.is_ok(), "node {} does not open on an empty disk: {}",
                  id.value(), started.to_string());
    // Timers of different machines are not in phase.
    schedule_tick(id, scheduler_.now_ms() + random_.between(1, options_.node.tick_ms));
  }
  schedule_state_hash_check();
}

void SimCluster::schedule_tick(NodeId id, uint64_t at_ms) {
  scheduler_.at(at_ms, [this, id] {
    SimNode& node = *nodes_.at(id);
    node.tick();
    observe(node);
    schedule_tick(id, scheduler_.now_ms() + options_.node.tick_ms);
  });
}

void SimCluster::schedule_state_hash_check() {
  scheduler_.after(options_.state_hash_interval_ms, [this] {
    compare_state_hashes();
    schedule_state_hash_check();
  });
}

void SimCluster::observe(SimNode& sim_node) {
  if (!sim_node.up() || sim_node.paused()) return;
  const node::NodeStatus status = sim_node.node()->status();
  const NodeId id = sim_node.id();
  Watermark& mark = watermarks_[id];
  if (mark.incarnation != sim_node.incarnation()) {
    // A restarted process starts again from what its disk holds.
    mark = Watermark{sim_node.incarnation(), status.term, status.commit,
                     status.applied, status.revision};
  }
  auto went_back = [&](std::string_view what, uint64_t before, uint64_t now) {
    if (now < before) {
      findings_.add(RunVerdict::kCorrectness,
                    fmt::format("node {} {} went back from {} to {} within one process",
                                id.value(), what, before, now));
    }
  };
  went_back("term", mark.term.value(), status.term.value());
  went_back("commit index", mark.commit.value(), status.commit.value());
  went_back("applied index", mark.applied.value(), status.applied.value());
  went_back("revision", mark.revision.value(), status.revision.value());
  mark.term = std::max(mark.term, status.term);
  mark.commit = std::max(mark.commit, status.commit);
  mark.applied = std::max(mark.applied, status.applied);
  mark.revision = std::max(mark.revision, status.revision);

  if (status.role == consensus::Role::kLeader) {
    auto [it, inserted] = leader_of_term_.emplace(status.term, id);
    if (inserted) {
      trace_.note(scheduler_.now_ms(), "node {} leads term {}", id.value(),
                  status.term.value());
    } else if (it->second != id) {
      findings_.add(RunVerdict::kCorrectness,
                    fmt::format("election safety: nodes {} and {} both lead term {}",
                                it->second.value(), id.value(), status.term.value()));
    }
  }
}

void SimCluster::check_values_on_majority() {
  // The values of the latest state: the pointers of the nodes that applied
  // the most. A node behind them may still point to values the others
  // have since overwritten and collected; it catches up by the log or a
  // snapshot, whose values the leader holds.
  LogIndex latest(0);
  for (auto& [id, sim_node] : nodes_) {
    if (!sim_node->disk().is_open()) continue;
    latest = std::max(latest, sim_node->disk().storage().applied_state().index);
  }
  std::set<BlobId> referenced;
  for (auto& [id, sim_node] : nodes_) {
    if (!sim_node->disk().is_open()) continue;
    if (sim_node->disk().storage().applied_state().index != latest) continue;
    Result<StateSnapshot> state = sim_node->disk().storage().create_snapshot();
    if (!state.is_ok()) continue;
    for (const KeyPointer& pointer : state->pointers) referenced.insert(pointer.record.value_hash);
  }
  const size_t majority = nodes_.size() / 2 + 1;
  for (const BlobId& value : referenced) {
    size_t holders = 0;
    for (auto& [id, sim_node] : nodes_) {
      if (!sim_node->disk().is_open()) continue;
      // get_blob re-hashes the bytes and answers CORRUPT on a mismatch.
      Result<std::string> bytes = sim_node->disk().storage().get_blob(value);
      if (bytes.is_ok()) {
        ++holders;
      } else if (bytes.status().code() == ErrorCode::kCorrupt) {
        findings_.add(RunVerdict::kCorrectness,
                      fmt::format("node {} holds value {} but its bytes do not hash to it",
                                  id.value(), value.short_hex()));
      }
    }
    if (holders < majority) {
      findings_.add(RunVerdict::kCorrectness,
                    fmt::format("value {} that a key points to is held by {} of {} nodes, "
                                "fewer than a majority",
                                value.short_hex(), holders, nodes_.size()));
    }
  }
}

void SimCluster::compare_state_hashes() {
  for (auto& [id, sim_node] : nodes_) {
    if (!sim_node->up() || sim_node->paused()) continue;
    auto hash = sim_node->node()->state_hash();
    if (!hash.is_ok()) {
      findings_.add(RunVerdict::kCorrectness,
                    fmt::format("node {} cannot compute its state hash: {}", id.value(),
                                hash.status().to_string()));
      continue;
    }
    const std::string digest = hash->digest.hex();
    auto [it, inserted] = hash_at_index_.emplace(hash->applied, std::make_pair(digest, id));
    if (!inserted && it->second.first != digest) {
      findings_.add(RunVerdict::kCorrectness,
                    fmt::format("state machine safety: at applied index {} node {} has "
                                "state {} but node {} had {}",
                                hash->applied.value(), id.value(), hash->describe(),
                                it->second.second.value(), it->second.first));
    }
    trace_.fold(fmt::format("hash {} {} {}", id.value(), hash->applied.value(), digest));
  }
}

std::optional<NodeId> SimCluster::leader() const {
  std::optional<NodeId> best;
  Term best_term;
  for (const auto& [id, sim_node] : nodes_) {
    if (!sim_node->up() || sim_node->paused()) continue;
    const node::NodeStatus status = sim_node->node()->status();
    if (status.role != consensus::Role::kLeader) continue;
    if (!best || status.term > best_term) {
      best = id;
      best_term = status.term;
    }
  }
  return best;
}

void SimCluster::crash(NodeId id) {
  SimNode& sim_node = *nodes_.at(id);
  if (!sim_node.up()) return;
  trace_.record(scheduler_.now_ms(), sim_node.crash());
}

void SimCluster::restart(NodeId id) {
  SimNode& sim_node = *nodes_.at(id);
  if (sim_node.up()) return;
  Status started = sim_node.start();
  if (!started.is_ok()) {
    findings_.add(RunVerdict::kCorrectness,
                  fmt::format("node {} does not reopen after a crash: {}", id.value(),
                              started.to_string()));
    return;
  }
  trace_.note(scheduler_.now_ms(), "restart node {} (incarnation {})", id.value(),
              sim_node.incarnation());
}

void SimCluster::pause(NodeId id) {
  SimNode& sim_node = *nodes_.at(id);
  if (!sim_node.up() || sim_node.paused()) return;
  sim_node.pause();
  trace_.note(scheduler_.now_ms(), "pause node {}", id.value());
}

void SimCluster::resume(NodeId id) {
  SimNode& sim_node = *nodes_.at(id);
  if (!sim_node.paused()) return;
  trace_.note(scheduler_.now_ms(), "resume node {}", id.value());
  sim_node.resume();
}

void SimCluster::set_slow_disk(NodeId id, bool slow) {
  SimNode& sim_node = *nodes_.at(id);
  if (sim_node.disk().slow() == slow) return;
  sim_node.disk().set_slow(slow);
  trace_.note(scheduler_.now_ms(), "node {} disk {}", id.value(), slow ? "slow" : "fast");
}

void SimCluster::jump_wall_clock(NodeId id, int64_t delta_ms) {
  nodes_.at(id)->jump_wall_clock(delta_ms);
  trace_.note(scheduler_.now_ms(), "node {} wall clock jumps {} ms", id.value(), delta_ms);
}

void SimCluster::partition(const std::vector<std::vector<Endpoint>>& groups,
                           const std::string& why) {
  network_.partition(groups);
  trace_.note(scheduler_.now_ms(), "partition ({}): cut {}", why, network_.describe_cuts());
}

void SimCluster::cut(Endpoint from, Endpoint to) {
  network_.cut(from, to);
  trace_.note(scheduler_.now_ms(), "cut link {}->{}", from, to);
}

void SimCluster::set_peer_faults(const LinkFaults& faults) {
  network_.set_peer_faults(faults);
  trace_.note(scheduler_.now_ms(),
              "peer links: delay {}-{} ms, drop {}‰, duplicate {}‰, reorder {}‰",
              faults.delay_min_ms, faults.delay_max_ms, faults.drop_per_mille,
              faults.duplicate_per_mille, faults.reorder_per_mille);
}

void SimCluster::set_client_faults(const LinkFaults& faults) {
  network_.set_client_faults(faults);
  trace_.note(scheduler_.now_ms(), "client links: delay {}-{} ms, drop {}‰",
              faults.delay_min_ms, faults.delay_max_ms, faults.drop_per_mille);
}

void SimCluster::heal_all() {
  network_.heal();
  network_.set_peer_faults(options_.peer_links);
  network_.set_client_faults(options_.client_links);
  for (auto& [id, sim_node] : nodes_) {
    sim_node->disk().set_slow(false);
    if (!sim_node->up()) restart(id);
    if (sim_node->paused()) resume(id);
  }
  trace_.record(scheduler_.now_ms(), "heal: every link restored, disks fast, nodes running");
}

bool SimCluster::converged() {
  std::optional<NodeId> leader_id = leader();
  if (!leader_id) return false;
  const LogIndex commit = nodes_.at(*leader_id)->node()->status().commit;
  std::optional<std::string> digest;
  for (auto& [id, sim_node] : nodes_) {
    if (!sim_node->up() || sim_node->paused()) return false;
    const node::NodeStatus status = sim_node->node()->status();
    if (status.applied != commit) return false;
    auto hash = sim_node->node()->state_hash();
    if (!hash.is_ok()) return false;
    if (!digest) digest = hash->digest.hex();
    // A disagreement is reported by compare_state_hashes().
    if (*digest != hash->digest.hex()) return false;
  }
  return true;
}

std::string SimCluster::describe_nodes() const {
  std::string text;
  for (const auto& [id, sim_node] : nodes_) {
    if (!sim_node->up()) {
      text += fmt::format("  node {}: down\n", id.value());
      continue;
    }
    const node::NodeStatus status = sim_node->node()->status();
    text += fmt::format(
        "  node {}: {}{} term {} leader {} commit {} applied {} revision {} "
        "pending writes {} reads {}\n",
        id.value(), consensus::role_name(status.role), sim_node->paused() ? " (paused)" : "",
        status.term.value(), status.leader.value(), status.commit.value(),
        status.applied.value(), status.revision.value(), status.pending_writes,
        status.pending_reads);
    if (status.role == consensus::Role::kLeader) {
      for (const auto& [peer, other] : nodes_) {
        if (peer == id) continue;
        if (const consensus::Progress* progress = sim_node->node()->raft().progress(peer)) {
          text += fmt::format("    progress of node {}: {}\n", peer.value(),
                              progress->describe());
        }
      }
    }
  }
  return text;
}

}  // namespace quokka::sim
