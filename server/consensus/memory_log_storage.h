#pragma once

#include <vector>

#include "server/consensus/log_storage.h"

namespace quokka::consensus {

// LogStorage in memory (etcd-raft's MemoryStorage), for the core's tests and
// the consensus property test, which model a crash by keeping only what was
// persisted here. Not thread-safe.
class MemoryLogStorage final : public LogStorage {
 public:
  // A fresh log whose configuration is `initial`, as at cluster bootstrap.
  explicit MemoryLogStorage(ConfState initial = {});

  HardState hard_state() const override { return hard_state_; }
  ConfState snapshot_conf_state() const override {
    return snapshot_.metadata.conf_state;
  }
  LogIndex first_index() const override;
  LogIndex last_index() const override;
  Result<Term> term_at(LogIndex index) const override;
  Result<std::vector<LogEntry>> entries(LogIndex lo, LogIndex hi,
                                        uint64_t bytes_max) const override;
  Result<Snapshot> snapshot() const override { return snapshot_; }

  // What the application does with a Ready.
  void set_hard_state(const HardState& state) { hard_state_ = state; }
  // Appends contiguous entries; an entry at an index already in the log
  // replaces it and everything after (Raft §5.3). Entries at or before the
  // snapshot are ignored. Asserts there is no gap.
  void append(const std::vector<LogEntry>& entries);
  // Replaces the whole log with `snapshot`. Ignored when older than the
  // current snapshot.
  void apply_snapshot(const Snapshot& snapshot);

  // What the application does when it takes a snapshot of its state at
  // `index` (which must be in the log): records it, then drops the log up to
  // and including it.
  void create_snapshot(LogIndex index, const ConfState& conf_state,
                       std::string data);

 private:
  HardState hard_state_;
  Snapshot snapshot_;
  // entries_[0] is the entry at snapshot_.metadata.last.index + 1.
  std::vector<LogEntry> entries_;
};

}  // namespace quokka::consensus
