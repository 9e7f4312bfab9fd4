#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "server/consensus/conf_state.h"
#include "server/consensus/memory_log_storage.h"
#include "server/consensus/message.h"
#include "server/consensus/raft.h"
#include "server/consensus/raft_options.h"
#include "server/consensus/ready.h"
#include "storage/log_entry.h"

namespace quokka::testing {

// A deterministic in-process Raft cluster for the consensus tests: every
// node is a consensus::Raft over its own MemoryLogStorage, and every message
// waits in one queue until the test delivers, drops or cuts it. No clocks,
// threads or hidden randomness: the same calls give the same run.

// The options the tests start from: small timeouts (election 10 ticks,
// heartbeat 1), pre-vote and check-quorum on, invariants checked after every
// input, and a seed derived from the node id so that randomized election
// timeouts differ between nodes but not between runs.
consensus::RaftOptions default_raft_options(NodeId id);

// The snapshot payload of the test state machine: one "index:command" line
// per applied command, so that a node that installs a snapshot knows which
// commands (and at which indexes) it covers.
std::string encode_applied_commands(
    const std::vector<std::pair<LogIndex, std::string>>& commands);
std::vector<std::pair<LogIndex, std::string>> decode_applied_commands(
    const std::string& data);

// One node: a Raft, the storage it persists into, and the state machine it
// applies into. handle_readies() acts on each Ready exactly as ready.h's
// ordering rule says:
//   1. `messages` go to the outbox at once;
//   2. snapshot, entries and hard state are persisted into the storage;
//   3. only then `messages_after_persist` go to the outbox;
//   4. committed entries are applied, read states and dropped reads kept;
//   5. advance().
// crash() keeps only what the storage holds; restart() builds a new Raft
// from it.
class TestNode {
 public:
  // `initial` is the configuration the storage starts with: the bootstrap
  // voters, for a founding member and (see TestCluster::add_node) for a
  // node that joins later.
  TestNode(consensus::RaftOptions options, consensus::ConfState initial);

  // Lets a test shape the durable state (Figure 7's logs, say) before the
  // node starts, or between crash() and restart().
  consensus::MemoryLogStorage& storage() { return *storage_; }
  const consensus::MemoryLogStorage& storage() const { return *storage_; }

  // Starts the Raft (the constructor does not, so that storage() can be
  // prepared first). Requires !running().
  void start();
  // Loses everything not in the storage: the Raft with its unpersisted
  // entries and messages not yet handed out, and the applied state machine,
  // which restart() rebuilds from the storage's snapshot and the committed
  // entries the Raft hands out again.
  void crash();
  void restart();
  bool running() const { return raft_ != nullptr; }

  NodeId id() const { return options_.id; }
  consensus::Raft& raft();
  const consensus::Raft& raft() const;
  // The options the next start()/restart() uses; change them before it.
  consensus::RaftOptions& options() { return options_; }

  // Acts on every Ready the Raft has (see the class comment) and returns the
  // messages to send, in the order they may leave.
  std::vector<consensus::Message> handle_readies();

  // A slow disk. While stalled, each Ready's `messages` still leave at once
  // (step 1), but the Ready then waits: nothing is persisted, no
  // messages_after_persist leave, nothing is applied or advanced. Further
  // Readies pile up behind it (the core allows several outstanding). Once
  // resumed, the next handle_readies() completes them in order. A crash
  // loses them, as it loses anything not yet synced.
  void stall_disk() { disk_stalled_ = true; }
  void resume_disk() { disk_stalled_ = false; }
  bool disk_stalled() const { return disk_stalled_; }
  size_t stalled_readies() const { return stalled_.size(); }

  // The state machine: every applied normal entry with a non-empty payload,
  // in log order, with its index. A command "key=value" also sets `key` in
  // kv(); anything else is only listed.
  const std::vector<std::pair<LogIndex, std::string>>& applied_commands() const {
    return applied_commands_;
  }
  std::vector<std::string> applied_values() const;
  const std::map<std::string, std::string>& kv() const { return kv_; }
  // The last index applied (committed entries or an installed snapshot).
  LogIndex applied_index() const { return applied_index_; }
  // Every entry applied since the last (re)start, empty ones included.
  const std::vector<LogEntry>& applied_entries() const { return applied_entries_; }

  // Reads answered (ReadState) and given up (Ready::dropped_reads) since the
  // last clear_reads().
  const std::vector<consensus::ReadState>& read_states() const { return read_states_; }
  const std::vector<std::string>& dropped_reads() const { return dropped_reads_; }
  void clear_reads();

  // Every persisted entry, from the storage (what survives a crash).
  std::vector<LogEntry> persisted_entries() const;

  // Takes a snapshot of the state machine at `index` (<= applied_index())
  // and compacts the storage through it, as the application does when its
  // log grows long.
  void compact(LogIndex index);

  // The last soft state a Ready reported, for the transcripts.
  const consensus::SoftState& soft_state() const { return soft_state_; }

  // Ordering-rule and apply-order breaches seen (the core's bugs, not the
  // test's): empty when all is well.
  const std::vector<std::string>& violations() const { return violations_; }

 private:
  // Step 1 of the ordering rule, then steps 2-5.
  void send_at_once(const consensus::Ready& ready, std::vector<consensus::Message>& out);
  void complete(consensus::Ready& ready, std::vector<consensus::Message>& out);
  void apply(const LogEntry& entry);
  void install(const consensus::Snapshot& snapshot);
  void reset_state_machine();
  consensus::ConfState conf_state_at(LogIndex index) const;

  consensus::RaftOptions options_;
  std::unique_ptr<consensus::MemoryLogStorage> storage_;
  std::unique_ptr<consensus::Raft> raft_;
  bool disk_stalled_ = false;
  std::deque<consensus::Ready> stalled_;

  std::vector<std::pair<LogIndex, std::string>> applied_commands_;
  std::map<std::string, std::string> kv_;
  std::vector<LogEntry> applied_entries_;
  LogIndex applied_index_;
  // The configuration after each applied configuration change, so that a
  // snapshot at any applied index records the configuration in force there.
  std::map<LogIndex, consensus::ConfState> conf_history_;

  std::vector<consensus::ReadState> read_states_;
  std::vector<std::string> dropped_reads_;
  consensus::SoftState soft_state_;
  std::vector<std::string> violations_;
};

// What happened to one message the cluster took out of its queue.
struct Delivery {
  consensus::Message message;
  // Why it did not arrive: "" when delivered, else "cut", "down" (the
  // receiver is crashed or unknown) or "dropped" (the test dropped it).
  std::string lost;
};

// N nodes and the network between them. Every operation first lets every
// running node act on its pending Readies, so a test may call raft(id)
// methods directly and then deliver.
class TestCluster {
 public:
  using Options = consensus::RaftOptions;
  // Adjusts each node's options (id already set) before it starts.
  using OptionsHook = std::function<void(Options&)>;
  // Prepares a node's storage before it starts.
  using StorageHook = std::function<void(NodeId, consensus::MemoryLogStorage&)>;

  // Nodes 1..voters, all voters of the bootstrap configuration.
  explicit TestCluster(size_t voters, OptionsHook options = {},
                       StorageHook storage = {});

  // A node that is not (yet) a member, to be added with a membership change.
  // Its storage starts with `initial`, by default the founding voters (what
  // an operator tells a joining node): the founding configuration lives in
  // the members' bootstrap state, not in the log, so a joiner could not
  // learn it from the leader's entries.
  TestNode& add_node(NodeId id,
                     std::optional<consensus::ConfState> initial = std::nullopt);

  std::vector<NodeId> ids() const;
  TestNode& node(NodeId id);
  const TestNode& node(NodeId id) const;
  consensus::Raft& raft(NodeId id) { return node(id).raft(); }
  bool has_node(NodeId id) const { return nodes_.count(id) != 0; }

  // --- inputs (each followed by ready handling)
  void tick(NodeId id, uint64_t ticks = 1);
  void tick_all(uint64_t ticks = 1);
  void campaign(NodeId id);
  Result<LogPosition> propose(NodeId id, std::string command);
  Status read_index(NodeId id, std::string context);
  Status transfer_leadership(NodeId from, NodeId to);
  Result<LogPosition> propose_conf_change(NodeId leader,
                                          consensus::ConfChange change);

  // --- the network
  // Lets every running node act on its Readies, queueing what they send.
  void flush();
  // Delivers queued messages, and what they cause, until the queue is empty
  // or `messages_max` were taken; returns them in order.
  std::vector<Delivery> deliver_all(size_t messages_max = 100000);
  // Delivers the messages queued now that satisfy `filter` (not the ones
  // they cause); the rest stay queued.
  std::vector<Delivery> deliver_once(
      const std::function<bool(const consensus::Message&)>& filter);
  // Delivers matching messages, and the matching ones they cause, until none
  // is queued (bounded); non-matching ones stay queued.
  std::vector<Delivery> deliver_while(
      const std::function<bool(const consensus::Message&)>& filter,
      size_t messages_max = 100000);
  std::vector<Delivery> deliver_to(NodeId to);
  std::vector<Delivery> deliver_from(NodeId from);
  // Removes queued messages that satisfy `filter` (all when none given).
  std::vector<Delivery> drop(
      const std::function<bool(const consensus::Message&)>& filter = {});
  std::vector<Delivery> drop_to(NodeId to);
  const std::deque<consensus::Message>& queued() { flush(); return queue_; }

  // Cut links lose messages when they are taken from the queue.
  void cut(NodeId a, NodeId b);  // both directions
  void isolate(NodeId id);       // from every other node
  // Cuts every link between different groups; nodes in no group are
  // isolated.
  void partition(const std::vector<std::vector<NodeId>>& groups);
  void heal();
  bool link_cut(NodeId from, NodeId to) const;

  // Time passing: `ticks` times, ticks every running node once and then
  // delivers until quiet (cut links stay cut).
  void run_ticks(uint64_t ticks);

  // --- crashes
  // Does not flush first: whatever the node has not handed out in a Ready
  // (say after a direct raft(id) call) is lost with it. Messages already
  // queued stay queued and reach the node if it restarts before delivery.
  void crash(NodeId id);
  void restart(NodeId id);

  // --- observation
  // The running leader with the highest term, NodeId(0) when none.
  NodeId leader() const;
  // Campaigns `id` and delivers until quiet; whether it then leads.
  bool elect(NodeId id);
  // Every running node's Raft::describe(), one line each ("id=3 crashed").
  std::string status() const;
  // Every breach the nodes saw, one line each.
  std::vector<std::string> violations() const;

 private:
  void enqueue(std::vector<consensus::Message> messages);
  // Takes one message out of the queue and delivers it or says why not.
  Delivery deliver_message(consensus::Message message);

  std::map<NodeId, std::unique_ptr<TestNode>> nodes_;
  consensus::ConfState founding_;
  OptionsHook options_hook_;
  std::deque<consensus::Message> queue_;
  std::set<std::pair<NodeId, NodeId>> cut_links_;  // (from, to)
};

// consensus::describe(message), with " (lost: cut)" when it did not arrive.
std::string describe(const Delivery& delivery);

}  // namespace quokka::testing
