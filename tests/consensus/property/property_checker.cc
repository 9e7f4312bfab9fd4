#include "tests/consensus/property/property_checker.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "server/consensus/ready.h"

namespace quokka::testing::raft_property {
namespace {

std::string describe_entry(const LogEntry& entry) {
  return fmt::format("{}@{} \"{}\"", entry.index.value(), entry.term.value(),
                     entry.data);
}

// What the node's disk says is committed: its hard state's commit index,
// or its snapshot's index when that is higher (a snapshot holds only
// committed entries, and the rule lets a crash fall between persisting a
// snapshot and the hard state that follows it).
LogIndex persisted_commit(const SimulatedNode& node) {
  const consensus::MemoryLogStorage& storage = node.storage();
  const LogIndex snapshot(storage.first_index().value() - 1);
  return std::max(storage.hard_state().commit, snapshot);
}

}  // namespace

void PropertyChecker::fail(std::string property, std::string detail) {
  if (violation_) return;
  violation_ = Violation{std::move(property), std::move(detail)};
}

void PropertyChecker::check_step(const std::vector<SimulatedNode>& nodes) {
  for (const SimulatedNode& node : nodes) {
    if (!node.up()) continue;
    check_election_safety(node);
    check_commit(node);
    check_leader_completeness(node);
  }
}

void PropertyChecker::check_election_safety(const SimulatedNode& node) {
  const consensus::Raft& raft = node.raft();
  if (raft.role() != consensus::Role::kLeader) return;
  const auto [known, inserted] =
      leader_of_term_.emplace(raft.term(), node.id());
  if (inserted || known->second == node.id()) return;
  fail("election safety",
       fmt::format("term {} has two leaders: node {} and node {}",
                   raft.term().value(), known->second.value(),
                   node.id().value()));
}

void PropertyChecker::check_commit(const SimulatedNode& node) {
  const consensus::Raft& raft = node.raft();
  const LogIndex persisted = persisted_commit(node);
  CommitWatermark& mark = watermarks_[node.id()];
  if (mark.incarnation == node.incarnation() &&
      raft.committed() < mark.committed) {
    fail("monotonic commit",
         fmt::format("node {} commit fell from {} to {} in incarnation {}",
                     node.id().value(), mark.committed.value(),
                     raft.committed().value(), node.incarnation()));
  }
  if (persisted < mark.persisted_commit) {
    fail("monotonic commit",
         fmt::format("node {} persisted commit fell from {} to {}",
                     node.id().value(), mark.persisted_commit.value(),
                     persisted.value()));
  }
  if (node.applied_index() > persisted) {
    fail(
        "monotonic commit",
        fmt::format("node {} applied through {} beyond its persisted commit {}",
                    node.id().value(), node.applied_index().value(),
                    persisted.value()));
  }
  mark.incarnation = node.incarnation();
  mark.committed = raft.committed();
  mark.persisted_commit = persisted;
}

void PropertyChecker::check_started(const SimulatedNode& node) {
  const consensus::Raft& raft = node.raft();
  const LogIndex persisted = persisted_commit(node);
  if (node.applied_index() > persisted) {
    fail("monotonic commit",
         fmt::format("node {} restarted having applied through {}, beyond its "
                     "persisted commit {}",
                     node.id().value(), node.applied_index().value(),
                     persisted.value()));
  }
  if (raft.committed() < persisted) {
    fail("monotonic commit",
         fmt::format("node {} restarted with commit {} below its persisted "
                     "commit {}",
                     node.id().value(), raft.committed().value(),
                     persisted.value()));
  }
  CommitWatermark& mark = watermarks_[node.id()];
  mark.incarnation = node.incarnation();
  mark.committed = raft.committed();
  // What the state machine holds now (kept, or restored from the
  // snapshot) must agree with what everyone applied.
  ReadyEffects restored;
  restored.applications.push_back({LogIndex(0), true, node.applied()});
  check_applied(node, restored, raft.term());
}

void PropertyChecker::check_leader_completeness(const SimulatedNode& node) {
  const consensus::Raft& raft = node.raft();
  if (raft.role() != consensus::Role::kLeader) return;
  // A leader's log only grows, so it needs looking at again only when it,
  // or what is known committed, changed.
  const CompletenessKey key{node.incarnation(),          raft.term(),
                            raft.last_index(),           node.outstanding(),
                            node.storage().last_index(), committed_version_};
  const auto checked = completeness_checked_.find(node.id());
  if (checked != completeness_checked_.end() && checked->second == key) return;

  const LogView log = node.handed_out_log();
  // Entries appended since the last Ready are not visible yet; look again
  // once they are.
  if (log.last() != raft.last_index()) return;
  completeness_checked_[node.id()] = key;

  for (const auto& [index, committed] : committed_) {
    if (committed.applied_in_term >= raft.term()) continue;
    // A snapshot holds what the log dropped; snapshots are checked when a
    // state machine is restored from them.
    if (index < log.first) continue;
    const LogEntry* held = log.at(index);
    if (held != nullptr && held->term == committed.term &&
        held->data == committed.data) {
      continue;
    }
    fail("leader completeness",
         fmt::format("leader {} of term {} lacks {}@{} \"{}\" (applied by node "
                     "{} in term {}); it holds {}",
                     node.id().value(), raft.term().value(), index.value(),
                     committed.term.value(), committed.data,
                     committed.first_applied_by.value(),
                     committed.applied_in_term.value(),
                     held == nullptr ? std::string("nothing there")
                                     : describe_entry(*held)));
    return;
  }
}

void PropertyChecker::check_effects(const SimulatedNode& node,
                                    const ReadyEffects& effects, Term term) {
  check_persisted(node, effects.persisted);
  check_applied(node, effects, term);
  for (const consensus::ReadState& read : effects.read_states) {
    const auto floor = read_floor_.find(read.context);
    if (floor == read_floor_.end()) continue;
    ++reads_answered_;
    if (read.index >= floor->second) continue;
    fail("linearizable read",
         fmt::format("node {} answered read {} at index {}, but index {} was "
                     "applied before it was asked",
                     node.id().value(), read.context, read.index.value(),
                     floor->second.value()));
  }
}

void PropertyChecker::check_persisted(
    const SimulatedNode& node,
    const std::vector<ReadyEffects::Persisted>& persisted) {
  for (const ReadyEffects::Persisted& appended : persisted) {
    const LogEntry& entry = appended.entry;
    const auto [known, inserted] = appended_.emplace(
        std::pair{entry.index, entry.term},
        Appended{entry.type, entry.data, appended.previous_term, node.id()});
    if (inserted) continue;
    const Appended& first = known->second;
    if (first.data == entry.data && first.type == entry.type &&
        first.previous_term == appended.previous_term) {
      continue;
    }
    fail("log matching",
         fmt::format("node {} persisted {} after an entry of term {}; node {} "
                     "persisted {}@{} \"{}\" after an entry of term {}",
                     node.id().value(), describe_entry(entry),
                     appended.previous_term.value(),
                     first.first_appended_by.value(), entry.index.value(),
                     entry.term.value(), first.data,
                     first.previous_term.value()));
    return;
  }
}

void PropertyChecker::check_applied(const SimulatedNode& node,
                                    const ReadyEffects& effects, Term term) {
  for (const ReadyEffects::Application& application : effects.applications) {
    // Committed entries follow on from the state machine; a restored state
    // machine starts at index 1.
    LogIndex expected(
        application.from_snapshot ? 1 : application.before.value() + 1);
    for (const LogEntry& entry : application.entries) {
      if (entry.index != expected) {
        fail("state-machine safety",
             fmt::format(
                 "node {} applied index {} where {} was next{}",
                 node.id().value(), entry.index.value(), expected.value(),
                 application.from_snapshot ? " (restoring a snapshot)" : ""));
        return;
      }
      expected = LogIndex(expected.value() + 1);
      check_entry_applied(node, entry, term);
      if (violation_) return;
    }
  }
}

void PropertyChecker::check_entry_applied(const SimulatedNode& node,
                                          const LogEntry& entry, Term term) {
  const auto [known, inserted] = committed_.emplace(
      entry.index,
      Committed{entry.term, entry.type, entry.data, node.id(), term});
  if (inserted) ++committed_version_;
  if (!inserted) {
    Committed& first = known->second;
    if (first.term != entry.term || first.data != entry.data ||
        first.type != entry.type) {
      fail("state-machine safety",
           fmt::format("node {} applied {}, node {} applied {}@{} \"{}\"",
                       node.id().value(), describe_entry(entry),
                       first.first_applied_by.value(), entry.index.value(),
                       first.term.value(), first.data));
      return;
    }
    // The earliest term anyone applied it in is the strongest claim.
    if (term < first.applied_in_term) {
      first.applied_in_term = term;
      ++committed_version_;
    }
  }
  if (entry.type != EntryType::kNormal || entry.data.empty()) return;
  const auto [where, fresh] =
      index_of_command_.emplace(entry.data, entry.index);
  if (!fresh && where->second != entry.index) {
    fail("state-machine safety",
         fmt::format("command \"{}\" applied at index {} and at index {}",
                     entry.data, where->second.value(), entry.index.value()));
  }
}

void PropertyChecker::read_requested(const std::string& context) {
  const LogIndex floor =
      committed_.empty() ? LogIndex(0) : committed_.rbegin()->first;
  read_floor_[context] = floor;
}

void PropertyChecker::check_logs_pairwise(
    const std::vector<SimulatedNode>& nodes) {
  std::vector<LogView> logs;
  logs.reserve(nodes.size());
  for (const SimulatedNode& node : nodes) logs.push_back(node.persisted_log());
  for (size_t a = 0; a < nodes.size(); ++a) {
    for (size_t b = a + 1; b < nodes.size(); ++b) {
      const LogView& left = logs[a];
      const LogView& right = logs[b];
      // Compare where both logs hold entries: from the later start to the
      // earlier end; find the highest index with the same term in both.
      const LogIndex lo = std::max(left.first, right.first);
      const LogIndex hi = std::min(left.last(), right.last());
      if (hi < lo) continue;
      LogIndex agreed(0);
      for (uint64_t i = hi.value() + 1; i-- > lo.value();) {
        if (left.at(LogIndex(i))->term == right.at(LogIndex(i))->term) {
          agreed = LogIndex(i);
          break;
        }
      }
      if (agreed == LogIndex(0)) continue;
      for (LogIndex i = lo; i <= agreed; i = LogIndex(i.value() + 1)) {
        if (*left.at(i) == *right.at(i)) continue;
        fail("log matching",
             fmt::format("nodes {} and {} both hold an entry at index {} of "
                         "term {}, but differ at index {}: {} vs {}",
                         nodes[a].id().value(), nodes[b].id().value(),
                         agreed.value(), left.at(agreed)->term.value(),
                         i.value(), describe_entry(*left.at(i)),
                         describe_entry(*right.at(i))));
        return;
      }
    }
  }
}

}  // namespace quokka::testing::raft_property
