#include "server/consensus/memory_log_storage.h"

#include <fmt/format.h>

#include "common/assert.h"

namespace quokka::consensus {

MemoryLogStorage::MemoryLogStorage(ConfState initial) {
  snapshot_.metadata.conf_state = std::move(initial);
}

LogIndex MemoryLogStorage::first_index() const {
  return LogIndex(snapshot_.metadata.last.index.value() + 1);
}

LogIndex MemoryLogStorage::last_index() const {
  return LogIndex(snapshot_.metadata.last.index.value() + entries_.size());
}

Result<Term> MemoryLogStorage::term_at(LogIndex index) const {
  const LogIndex snapshot_index = snapshot_.metadata.last.index;
  if (index == snapshot_index) return snapshot_.metadata.last.term;
  if (index < snapshot_index || index > last_index()) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("no term for index {}; the log holds [{}, {}]",
                              index.value(), snapshot_index.value(),
                              last_index().value()));
  }
  return entries_[index.value() - snapshot_index.value() - 1].term;
}

Result<std::vector<LogEntry>> MemoryLogStorage::entries(
    LogIndex lo, LogIndex hi, uint64_t bytes_max) const {
  if (lo < first_index() || hi < lo ||
      hi.value() > last_index().value() + 1) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("entries [{}, {}) are not in the log [{}, {}]",
                              lo.value(), hi.value(), first_index().value(),
                              last_index().value()));
  }
  std::vector<LogEntry> out;
  uint64_t bytes = 0;
  const uint64_t base = snapshot_.metadata.last.index.value() + 1;
  for (uint64_t i = lo.value(); i < hi.value(); ++i) {
    const LogEntry& entry = entries_[i - base];
    if (!out.empty() && bytes + entry.byte_size() > bytes_max) break;
    bytes += entry.byte_size();
    out.push_back(entry);
  }
  return out;
}

void MemoryLogStorage::append(const std::vector<LogEntry>& entries) {
  if (entries.empty()) return;
  const uint64_t base = snapshot_.metadata.last.index.value() + 1;
  for (const LogEntry& entry : entries) {
    if (entry.index.value() < base) continue;  // covered by the snapshot
    const uint64_t offset = entry.index.value() - base;
    QUOKKA_ASSERT(offset <= entries_.size(),
                  "append leaves a gap: entry {} after last index {}",
                  entry.index.value(), last_index().value());
    entries_.resize(offset);
    entries_.push_back(entry);
  }
}

void MemoryLogStorage::apply_snapshot(const Snapshot& snapshot) {
  if (snapshot.metadata.last.index <= snapshot_.metadata.last.index) return;
  snapshot_ = snapshot;
  entries_.clear();
}

void MemoryLogStorage::create_snapshot(LogIndex index,
                                       const ConfState& conf_state,
                                       std::string data) {
  QUOKKA_ASSERT(index >= first_index(), "snapshot at {} is before the log {}",
                index.value(), first_index().value());
  QUOKKA_ASSERT(index <= last_index(), "snapshot at {} is past the log end {}",
                index.value(), last_index().value());
  const uint64_t keep_from = index.value() - snapshot_.metadata.last.index.value();
  Term term = entries_[keep_from - 1].term;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<long>(keep_from));
  snapshot_.metadata.last = {index, term};
  snapshot_.metadata.conf_state = conf_state;
  snapshot_.data = std::move(data);
}

}  // namespace quokka::consensus
