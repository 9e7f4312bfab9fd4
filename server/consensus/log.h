#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/types.h"
#include "server/consensus/log_storage.h"
#include "server/consensus/snapshot.h"
#include "storage/log_entry.h"

namespace quokka::consensus {

// The log as the core sees it (etcd-raft's raftLog and unstable): entries
// the application has persisted, read through LogStorage, followed by
// entries (and possibly a snapshot) not yet persisted, held here until a
// Ready hands them out and advance() says they are durable.
//
// Indexes: the snapshot covers [1, snapshot index]; the log holds
// [first_index(), last_index()]; committed <= last_index();
// applied <= applying <= committed.
class Log {
 public:
  explicit Log(const LogStorage& storage);

  LogIndex first_index() const;
  LogIndex last_index() const;
  Term last_term() const;
  // The term at `index`, or nullopt when it is compacted away or beyond the
  // end. index 0 has term 0.
  std::optional<Term> term_at(LogIndex index) const;
  bool matches(LogIndex index, Term term) const;

  // Raft §5.4.1: a candidate whose last entry is (index, term) is at least
  // as up to date as this log.
  bool is_up_to_date(LogIndex index, Term term) const;

  // Entries from `lo` through the end, at most `bytes_max` (at least one
  // entry when lo <= last_index()). nullopt when `lo` is compacted away.
  std::optional<std::vector<LogEntry>> entries_from(LogIndex lo,
                                                    uint64_t bytes_max) const;
  // Every entry [lo, last_index()], with no byte bound (for rebuilding the
  // configuration). nullopt when compacted.
  std::optional<std::vector<LogEntry>> all_entries_from(LogIndex lo) const;

  // Raft §5.3 AppendEntries on the follower: if the entry before `entries`
  // matches (prev_index, prev_term), drops conflicting entries, appends the
  // new ones, and commits through min(commit, last new index). Returns the
  // last new index, or nullopt on a mismatch.
  std::optional<LogIndex> maybe_append(LogIndex prev_index, Term prev_term,
                                       LogIndex commit,
                                       const std::vector<LogEntry>& entries);
  // Appends entries that follow on from the log or replace a suffix of it.
  // Asserts they never replace a committed entry. Returns the last index.
  LogIndex append(const std::vector<LogEntry>& entries);

  // The first index among `entries` whose term differs from the log's, or
  // the first one past the end; LogIndex(0) when all are already present.
  LogIndex find_conflict(const std::vector<LogEntry>& entries) const;
  // Fast backtracking (etcd-raft findConflictByTerm): the largest index
  // <= `index` whose term is <= `term`, so that the leader skips every
  // entry of a term the follower's log cannot share.
  LogIndex find_conflict_by_term(LogIndex index, Term term) const;

  LogIndex committed() const { return committed_; }
  LogIndex applying() const { return applying_; }
  LogIndex applied() const { return applied_; }
  // Raises the commit index; never lowers it. Asserts it stays in the log.
  void commit_to(LogIndex index);
  // Raft §5.4.2: commits `index` only if its entry has `term` (the leader's
  // current term); returns whether the commit index moved.
  bool maybe_commit(LogIndex index, Term term);
  void set_applied(LogIndex index);
  // On restart: the application already applied through `index`, which must
  // be committed and persisted.
  void skip_applied(LogIndex index);

  // Replaces the whole log with `snapshot` (a follower far behind).
  void restore(const Snapshot& snapshot);

  // Hand-out to the application (Ready) and acknowledgement (advance).
  const std::optional<Snapshot>& unstable_snapshot() const { return snapshot_; }
  bool has_snapshot_to_hand_out() const;
  std::optional<Snapshot> hand_out_snapshot();
  bool has_entries_to_hand_out() const;
  std::vector<LogEntry> hand_out_entries();
  bool has_committed_to_hand_out() const;
  std::vector<LogEntry> hand_out_committed(uint64_t bytes_max);
  // The persisted snapshot / entries through (index, term) are durable.
  void snapshot_persisted(LogIndex index);
  void entries_persisted(LogIndex index, Term term);
  // Everything through the returned index is durable on this node.
  LogIndex last_persisted_index() const;

 private:
  std::optional<Term> unstable_term(LogIndex index) const;
  LogIndex unstable_offset() const { return offset_; }
  // Committed entries may be applied only once they are durable here.
  LogIndex max_appliable_index() const;

  const LogStorage& storage_;
  // Not yet persisted: a snapshot to install, then entries from offset_.
  std::optional<Snapshot> snapshot_;
  bool snapshot_handed_out_ = false;
  std::vector<LogEntry> entries_;
  LogIndex offset_;
  // entries_ [offset_, handed_out_end_) were handed out to be persisted.
  LogIndex handed_out_end_;

  LogIndex committed_;
  LogIndex applying_;
  LogIndex applied_;
};

}  // namespace quokka::consensus
