#pragma once

#include <optional>

#include "server/consensus/log_storage.h"
#include "storage/storage.h"

namespace quokka::node {

// The consensus core's view of a node's Storage (consensus::LogStorage).
// The configuration of the log's start is kept as a node record, written
// when the log is compacted (and at bootstrap), so the core can replay the
// membership entries after it.
class StorageLog final : public consensus::LogStorage {
 public:
  explicit StorageLog(const Storage& storage) : storage_(storage) {}

  HardState hard_state() const override { return storage_.hard_state(); }
  consensus::ConfState snapshot_conf_state() const override;
  LogIndex first_index() const override { return storage_.first_index(); }
  LogIndex last_index() const override { return storage_.last_index(); }
  Result<Term> term_at(LogIndex index) const override {
    return storage_.term_at(index);
  }
  Result<std::vector<LogEntry>> entries(LogIndex lo, LogIndex hi,
                                        uint64_t bytes_max) const override {
    return storage_.entries(lo, hi, bytes_max);
  }
  // The replicated state at the applied index, as a snapshot to send.
  Result<consensus::Snapshot> snapshot() const override;

 private:
  const Storage& storage_;
  // The last snapshot made, reused while the applied index has not moved.
  mutable std::optional<consensus::Snapshot> cached_;
};

}  // namespace quokka::node
