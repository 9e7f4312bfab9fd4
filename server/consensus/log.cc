#include "server/consensus/log.h"

#include <algorithm>

#include "common/assert.h"

namespace quokka::consensus {

Log::Log(const LogStorage& storage) : storage_(storage) {
  offset_ = LogIndex(storage.last_index().value() + 1);
  handed_out_end_ = offset_;
  // Everything before the first entry is in the snapshot, which is applied.
  const LogIndex snapshot_index(storage.first_index().value() - 1);
  committed_ = std::max(storage.hard_state().commit, snapshot_index);
  applying_ = snapshot_index;
  applied_ = snapshot_index;
}

LogIndex Log::first_index() const {
  if (snapshot_) return LogIndex(snapshot_->metadata.last.index.value() + 1);
  return storage_.first_index();
}

LogIndex Log::last_index() const {
  if (!entries_.empty()) {
    return LogIndex(offset_.value() + entries_.size() - 1);
  }
  if (snapshot_) return snapshot_->metadata.last.index;
  return storage_.last_index();
}

Term Log::last_term() const {
  std::optional<Term> term = term_at(last_index());
  QUOKKA_ASSERT(term.has_value(), "the last entry {} has no term",
                last_index().value());
  return *term;
}

std::optional<Term> Log::unstable_term(LogIndex index) const {
  if (index >= offset_ && !entries_.empty() &&
      index.value() < offset_.value() + entries_.size()) {
    return entries_[index.value() - offset_.value()].term;
  }
  if (snapshot_ && snapshot_->metadata.last.index == index) {
    return snapshot_->metadata.last.term;
  }
  return std::nullopt;
}

std::optional<Term> Log::term_at(LogIndex index) const {
  if (index == LogIndex(0)) return Term(0);
  if (index.value() + 1 < first_index().value() || index > last_index()) {
    return std::nullopt;
  }
  if (std::optional<Term> term = unstable_term(index)) return term;
  if (snapshot_) return std::nullopt;  // storage is stale until it installs
  Result<Term> stored = storage_.term_at(index);
  if (!stored.is_ok()) return std::nullopt;
  return *stored;
}

bool Log::matches(LogIndex index, Term term) const {
  std::optional<Term> actual = term_at(index);
  return actual.has_value() && *actual == term;
}

bool Log::is_up_to_date(LogIndex index, Term term) const {
  const Term last = last_term();
  return term > last || (term == last && index >= last_index());
}

std::optional<std::vector<LogEntry>> Log::entries_from(
    LogIndex lo, uint64_t bytes_max) const {
  if (lo > last_index()) return std::vector<LogEntry>{};
  if (lo < first_index()) return std::nullopt;
  std::vector<LogEntry> out;
  uint64_t bytes = 0;
  if (lo < offset_) {
    const LogIndex hi = std::min(offset_, LogIndex(storage_.last_index().value() + 1));
    Result<std::vector<LogEntry>> stored = storage_.entries(lo, hi, bytes_max);
    if (!stored.is_ok()) return std::nullopt;
    out = std::move(stored).value();
    for (const LogEntry& entry : out) bytes += entry.byte_size();
    if (out.empty() || out.back().index.value() + 1 < hi.value()) return out;
  }
  const LogIndex from = std::max(lo, offset_);
  for (uint64_t i = from.value() - offset_.value(); i < entries_.size(); ++i) {
    const LogEntry& entry = entries_[i];
    if (!out.empty() && bytes + entry.byte_size() > bytes_max) break;
    bytes += entry.byte_size();
    out.push_back(entry);
  }
  return out;
}

std::optional<std::vector<LogEntry>> Log::all_entries_from(LogIndex lo) const {
  return entries_from(lo, UINT64_MAX);
}

std::optional<LogIndex> Log::maybe_append(LogIndex prev_index, Term prev_term,
                                          LogIndex commit,
                                          const std::vector<LogEntry>& entries) {
  if (!matches(prev_index, prev_term)) return std::nullopt;
  const LogIndex last_new(prev_index.value() + entries.size());
  const LogIndex conflict = find_conflict(entries);
  if (conflict != LogIndex(0)) {
    QUOKKA_ASSERT(conflict > committed_,
                  "entry {} conflicts with the committed log (commit {})",
                  conflict.value(), committed_.value());
    const size_t skip = conflict.value() - prev_index.value() - 1;
    append(std::vector<LogEntry>(entries.begin() + static_cast<long>(skip),
                                 entries.end()));
  }
  commit_to(std::min(commit, last_new));
  return last_new;
}

LogIndex Log::append(const std::vector<LogEntry>& entries) {
  if (entries.empty()) return last_index();
  const LogIndex from = entries.front().index;
  QUOKKA_ASSERT(from > committed_, "append at {} would overwrite committed {}",
                from.value(), committed_.value());
  QUOKKA_ASSERT(from.value() <= last_index().value() + 1,
                "append at {} leaves a gap after {}", from.value(),
                last_index().value());
  const uint64_t end = offset_.value() + entries_.size();
  if (from.value() == end) {
    entries_.insert(entries_.end(), entries.begin(), entries.end());
  } else if (from <= offset_) {
    // Replaces everything unstable, and persisted entries from `from` on.
    entries_ = entries;
    offset_ = from;
    handed_out_end_ = from;
  } else {
    entries_.resize(from.value() - offset_.value());
    entries_.insert(entries_.end(), entries.begin(), entries.end());
    handed_out_end_ = std::min(handed_out_end_, from);
  }
  return last_index();
}

LogIndex Log::find_conflict(const std::vector<LogEntry>& entries) const {
  for (const LogEntry& entry : entries) {
    if (!matches(entry.index, entry.term)) return entry.index;
  }
  return LogIndex(0);
}

LogIndex Log::find_conflict_by_term(LogIndex index, Term term) const {
  LogIndex at = std::min(index, last_index());
  while (at > LogIndex(0)) {
    std::optional<Term> here = term_at(at);
    if (!here.has_value()) break;  // compacted: the snapshot is the floor
    if (*here <= term) return at;
    at = LogIndex(at.value() - 1);
  }
  return at;
}

void Log::commit_to(LogIndex index) {
  if (index <= committed_) return;
  QUOKKA_ASSERT(index <= last_index(), "commit {} is past the last index {}",
                index.value(), last_index().value());
  committed_ = index;
}

bool Log::maybe_commit(LogIndex index, Term term) {
  if (index > committed_ && matches(index, term)) {
    commit_to(index);
    return true;
  }
  return false;
}

void Log::set_applied(LogIndex index) {
  QUOKKA_ASSERT(index <= applying_, "applied {} beyond what was handed out {}",
                index.value(), applying_.value());
  applied_ = std::max(applied_, index);
}

void Log::skip_applied(LogIndex index) {
  QUOKKA_ASSERT(index <= max_appliable_index(),
                "applied {} is past the persisted commit {}", index.value(),
                max_appliable_index().value());
  applying_ = std::max(applying_, index);
  applied_ = std::max(applied_, index);
}

void Log::restore(const Snapshot& snapshot) {
  const LogIndex index = snapshot.metadata.last.index;
  QUOKKA_ASSERT(index > committed_, "snapshot {} is not past commit {}",
                index.value(), committed_.value());
  snapshot_ = snapshot;
  snapshot_handed_out_ = false;
  entries_.clear();
  offset_ = LogIndex(index.value() + 1);
  handed_out_end_ = offset_;
  committed_ = index;
}

bool Log::has_snapshot_to_hand_out() const {
  return snapshot_.has_value() && !snapshot_handed_out_;
}

std::optional<Snapshot> Log::hand_out_snapshot() {
  if (!has_snapshot_to_hand_out()) return std::nullopt;
  snapshot_handed_out_ = true;
  return snapshot_;
}

bool Log::has_entries_to_hand_out() const {
  return handed_out_end_.value() < offset_.value() + entries_.size();
}

std::vector<LogEntry> Log::hand_out_entries() {
  std::vector<LogEntry> out(
      entries_.begin() + static_cast<long>(handed_out_end_.value() - offset_.value()),
      entries_.end());
  handed_out_end_ = LogIndex(offset_.value() + entries_.size());
  return out;
}

LogIndex Log::max_appliable_index() const {
  if (snapshot_) return applying_;  // nothing applies before the snapshot
  return std::min(committed_, LogIndex(offset_.value() - 1));
}

bool Log::has_committed_to_hand_out() const {
  return applying_ < max_appliable_index();
}

std::vector<LogEntry> Log::hand_out_committed(uint64_t bytes_max) {
  const LogIndex hi = max_appliable_index();
  if (applying_ >= hi) return {};
  Result<std::vector<LogEntry>> stored = storage_.entries(
      LogIndex(applying_.value() + 1), LogIndex(hi.value() + 1), bytes_max);
  QUOKKA_ASSERT(stored.is_ok(), "committed entries ({}, {}] are unreadable: {}",
                applying_.value(), hi.value(), stored.status().to_string());
  std::vector<LogEntry> out = std::move(stored).value();
  if (!out.empty()) applying_ = out.back().index;
  return out;
}

void Log::snapshot_persisted(LogIndex index) {
  if (snapshot_ && snapshot_->metadata.last.index == index) {
    snapshot_.reset();
    snapshot_handed_out_ = false;
    applying_ = std::max(applying_, index);
    applied_ = std::max(applied_, index);
  }
}

void Log::entries_persisted(LogIndex index, Term term) {
  if (index < offset_) return;
  std::optional<Term> unstable = unstable_term(index);
  // A newer append replaced the entry since it was handed out; the
  // replacement will be persisted by a later Ready.
  if (!unstable.has_value() || *unstable != term) return;
  if (index >= handed_out_end_) return;
  const uint64_t drop = index.value() - offset_.value() + 1;
  if (drop > entries_.size()) return;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<long>(drop));
  offset_ = LogIndex(index.value() + 1);
}

LogIndex Log::last_persisted_index() const {
  if (snapshot_) return LogIndex(0);
  if (!entries_.empty()) return LogIndex(offset_.value() - 1);
  return last_index();
}

}  // namespace quokka::consensus
