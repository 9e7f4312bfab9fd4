#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "common/types.h"
#include "server/consensus/conf_state.h"
#include "server/consensus/memory_log_storage.h"
#include "server/consensus/message.h"
#include "server/consensus/raft.h"
#include "server/consensus/raft_options.h"
#include "server/consensus/ready.h"
#include "storage/log_entry.h"

namespace quokka::testing::raft_property {

// How far one Ready has gone through the ordering rule written on Ready
// (ready.h). A Ready is advanced, and forgotten, after kApplied.
enum class ReadyStage : uint8_t {
  kMessagesSent = 1,  // 1. `messages` sent
  kPersisted = 2,     // 2. snapshot, entries, then hard state persisted
  kAcknowledged = 3,  // 3. `messages_after_persist` sent
  kApplied = 4,       // 4. committed entries applied
};

// What moving a node's Readies along produced: messages for the network,
// and what was persisted and applied, for the property checker.
struct ReadyEffects {
  // An entry appended to the durable log, with the term of the entry before
  // it there at that moment (0 for the first entry).
  struct Persisted {
    LogEntry entry;
    Term previous_term;
  };

  // Entries given to the state machine in one go: committed entries
  // applied after index `before`, or the whole state a snapshot restored
  // (entries [1, snapshot index]).
  struct Application {
    LogIndex before;
    bool from_snapshot = false;
    std::vector<LogEntry> entries;
  };

  std::vector<consensus::Message> messages;
  // In the order they were appended; a later one may replace an earlier.
  std::vector<Persisted> persisted;
  // In the order they happened.
  std::vector<Application> applications;
  std::vector<consensus::ReadState> read_states;

  size_t applied_count() const;
};

// The durable log of a node as a list: entries [first, first + size).
struct LogView {
  LogIndex first;
  std::vector<LogEntry> entries;

  LogIndex last() const { return LogIndex(first.value() + entries.size() - 1); }
  // nullptr when `index` is outside the view.
  const LogEntry* at(LogIndex index) const;
};

// One member of the simulated cluster: a Raft core, the MemoryLogStorage
// that is its disk, and a state machine that is the list of entries applied.
// A crash drops the core and every Ready not yet acted on; a restart builds
// a new core from the storage alone.
class SimulatedNode {
 public:
  // `options` are the cluster's; id and random_seed are set per incarnation.
  // At most `outstanding_readies_max` Readies are taken and not yet
  // advanced at once (pipelining, see ready.h). A durable state machine
  // survives crashes and tells the restarted core how far it applied; a
  // volatile one starts empty and is re-applied from index 1.
  SimulatedNode(NodeId id, const consensus::ConfState& initial,
                const consensus::RaftOptions& options,
                size_t outstanding_readies_max, bool durable_state_machine);

  NodeId id() const { return id_; }
  bool up() const { return raft_ != nullptr; }
  // Counts starts: 1 for the first, one more per restart.
  uint64_t incarnation() const { return incarnation_; }

  // Requires up().
  consensus::Raft& raft() { return *raft_; }
  const consensus::Raft& raft() const { return *raft_; }
  const consensus::MemoryLogStorage& storage() const { return *storage_; }
  // The state machine: applied()[i] is the entry at index i + 1.
  const std::vector<LogEntry>& applied() const { return applied_; }
  LogIndex applied_index() const { return LogIndex(applied_.size()); }

  // Builds the core from the persisted storage (and, with a durable state
  // machine, the applied index). A state machine behind the persisted
  // snapshot is restored from it first, as a real node does. Requires
  // !up().
  void start(uint64_t random_seed);
  // Loses the core and everything not persisted. Requires up().
  void crash();

  // Readies taken and not yet advanced.
  size_t outstanding() const { return outstanding_.size(); }
  // The stage of the oldest outstanding Ready; nullopt when there is none.
  std::optional<ReadyStage> oldest_stage() const;
  bool can_take_ready() const;
  // Takes the next Ready and sends its `messages` (rule step 1).
  void take_ready(ReadyEffects& effects);
  // Moves the oldest outstanding Ready one step of the rule on; after the
  // last, advances it. Requires outstanding() > 0.
  void progress_oldest(ReadyEffects& effects);
  // Persists the oldest Ready's snapshot and entries but not its hard
  // state, then crashes: the rule allows persisting them in that order
  // rather than atomically. Requires oldest_stage() == kMessagesSent.
  void crash_before_hard_state(ReadyEffects& effects);
  // Completes every outstanding Ready, then takes and completes new ones
  // until the core has nothing more, at most `readies_max` of them.
  void drain(ReadyEffects& effects, size_t readies_max);

  // What the application does to bound its log (Raft §7): snapshots its
  // state machine at the applied index and drops the log up to there.
  // Returns the snapshot's index, or nullopt when there is nothing new to
  // snapshot. Requires up().
  std::optional<LogIndex> compact();

  // The durable log.
  LogView persisted_log() const;
  // The log as far as the Readies handed out show it: the persisted log
  // with the entries of outstanding, not yet persisted Readies laid over
  // it. It is the core's whole log when its last index is
  // raft().last_index(), that is when nothing was appended since.
  LogView handed_out_log() const;

 private:
  void persist_log(const consensus::Ready& ready, ReadyEffects& effects);
  // Replaces the state machine with the one `snapshot` holds.
  void restore(const consensus::Snapshot& snapshot);

  struct Outstanding {
    consensus::Ready ready;
    ReadyStage stage = ReadyStage::kMessagesSent;
  };

  NodeId id_;
  consensus::RaftOptions options_;
  size_t outstanding_readies_max_;
  bool durable_state_machine_;
  uint64_t incarnation_ = 0;

  // Behind pointers so that the core's reference to the storage stays valid
  // when the node itself moves.
  std::unique_ptr<consensus::MemoryLogStorage> storage_;
  std::unique_ptr<consensus::Raft> raft_;
  std::deque<Outstanding> outstanding_;
  std::vector<LogEntry> applied_;
};

}  // namespace quokka::testing::raft_property
