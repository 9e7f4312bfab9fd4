#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/types.h"
#include "storage/log_entry.h"
#include "tests/consensus/property/simulated_node.h"

namespace quokka::testing::raft_property {

// The first property a run broke, and how.
struct Violation {
  std::string property;  // "election safety", "log matching", ...
  std::string detail;
};

// Raft's safety properties (Raft §5.2-§5.4, Figure 3), checked over the
// whole history of one simulated cluster:
//   election safety     at most one leader per term, over every leader ever
//                       observed;
//   log matching        entries with the same index and term have the same
//                       content and the same history: checked on every
//                       append to a durable log (each (index, term) must
//                       always come with the same command and previous
//                       term, which by induction gives identical prefixes)
//                       and by comparing the durable logs pairwise;
//   leader completeness every entry ever applied by a node in term t is in
//                       the log of every leader of a later term, at the
//                       same index with the same term;
//   state-machine safety no two nodes apply different entries at one index
//                       (nor restore different ones from a snapshot);
//                       each applies indexes in order; no command is
//                       applied at two indexes;
//   monotonic commit    a node's commit index never falls within one
//                       incarnation, its persisted commit (the hard
//                       state's, or the snapshot's index if higher) never
//                       falls, and it never applies beyond it;
//   linearizable read   a read index covers every entry applied anywhere
//                       before the read was asked for (thesis §6.4).
// Only the first violation is kept; checks stop counting after it.
class PropertyChecker {
 public:
  const std::optional<Violation>& violation() const { return violation_; }

  // After every step of the schedule.
  void check_step(const std::vector<SimulatedNode>& nodes);
  // After a node (re)started from its storage.
  void check_started(const SimulatedNode& node);
  // After a node moved its Readies along. `term` is the node's term then.
  void check_effects(const SimulatedNode& node, const ReadyEffects& effects,
                     Term term);
  // Compares every pair of durable logs (the classic statement of log
  // matching); cost grows with the logs, so not after every step.
  void check_logs_pairwise(const std::vector<SimulatedNode>& nodes);

  // A read was asked for with `context`: its answer must cover what was
  // applied by now.
  void read_requested(const std::string& context);

  // For the report: how much the schedule exercised.
  size_t leaders_observed() const { return leader_of_term_.size(); }
  size_t entries_committed() const { return committed_.size(); }
  size_t reads_answered() const { return reads_answered_; }

 private:
  struct Committed {
    Term term;
    EntryType type = EntryType::kNormal;
    std::string data;
    NodeId first_applied_by;
    // The applying node's term: the entry was committed in this term or an
    // earlier one, so every leader of a later term must hold it.
    Term applied_in_term;
  };
  struct Appended {
    EntryType type = EntryType::kNormal;
    std::string data;
    Term previous_term;
    NodeId first_appended_by;
  };
  struct CommitWatermark {
    uint64_t incarnation = 0;
    LogIndex committed;
    LogIndex persisted_commit;
  };
  // What a leader's log looked like when last checked for completeness.
  using CompletenessKey =
      std::tuple<uint64_t, Term, LogIndex, size_t, LogIndex, uint64_t>;

  void fail(std::string property, std::string detail);
  void check_election_safety(const SimulatedNode& node);
  void check_commit(const SimulatedNode& node);
  void check_leader_completeness(const SimulatedNode& node);
  void check_persisted(const SimulatedNode& node,
                       const std::vector<ReadyEffects::Persisted>& persisted);
  void check_applied(const SimulatedNode& node, const ReadyEffects& effects,
                     Term term);
  void check_entry_applied(const SimulatedNode& node, const LogEntry& entry,
                           Term term);

  std::optional<Violation> violation_;
  std::map<Term, NodeId> leader_of_term_;
  std::map<NodeId, CommitWatermark> watermarks_;
  std::map<NodeId, CompletenessKey> completeness_checked_;
  // Every (index, term) ever appended to a durable log.
  std::map<std::pair<LogIndex, Term>, Appended> appended_;
  // Every index ever applied, and where each command was applied.
  std::map<LogIndex, Committed> committed_;
  // Bumped whenever committed_ changes, to know when to look at leaders again.
  uint64_t committed_version_ = 0;
  std::map<std::string, LogIndex> index_of_command_;
  // Read context -> the highest index applied anywhere when it was asked.
  std::map<std::string, LogIndex> read_floor_;
  size_t reads_answered_ = 0;
};

}  // namespace quokka::testing::raft_property
