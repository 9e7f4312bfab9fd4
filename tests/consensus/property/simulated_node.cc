#include "tests/consensus/property/simulated_node.h"

#include <fmt/format.h>

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

#include "common/assert.h"

namespace quokka::testing::raft_property {
namespace {

// The state machine in a snapshot: per entry "<index> <term> <type>
// <size>\n" then <size> bytes of data.
std::string encode_state(const std::vector<LogEntry>& applied,
                         LogIndex through) {
  std::string out;
  for (const LogEntry& entry : applied) {
    if (entry.index > through) break;
    out += fmt::format("{} {} {} {}\n", entry.index.value(), entry.term.value(),
                       static_cast<int>(entry.type), entry.data.size());
    out += entry.data;
  }
  return out;
}

std::vector<LogEntry> decode_state(const std::string& data) {
  std::vector<LogEntry> entries;
  size_t at = 0;
  while (at < data.size()) {
    const size_t end = data.find('\n', at);
    QUOKKA_ASSERT(end != std::string::npos, "snapshot state is cut short");
    uint64_t index = 0;
    uint64_t term = 0;
    int type = 0;
    size_t size = 0;
    const int fields =
        std::sscanf(data.c_str() + at, "%" SCNu64 " %" SCNu64 " %d %zu", &index,
                    &term, &type, &size);
    QUOKKA_ASSERT(fields == 4, "snapshot state has a bad header at {}", at);
    QUOKKA_ASSERT(end + 1 + size <= data.size(), "snapshot state is cut short");
    LogEntry entry;
    entry.index = LogIndex(index);
    entry.term = Term(term);
    entry.type = static_cast<EntryType>(type);
    entry.data = data.substr(end + 1, size);
    entries.push_back(std::move(entry));
    at = end + 1 + size;
  }
  return entries;
}

}  // namespace

size_t ReadyEffects::applied_count() const {
  size_t count = 0;
  for (const Application& application : applications) {
    if (!application.from_snapshot) count += application.entries.size();
  }
  return count;
}

const LogEntry* LogView::at(LogIndex index) const {
  if (index < first || entries.empty() || index > last()) return nullptr;
  return &entries[index.value() - first.value()];
}

SimulatedNode::SimulatedNode(NodeId id, const consensus::ConfState& initial,
                             const consensus::RaftOptions& options,
                             size_t outstanding_readies_max,
                             bool durable_state_machine)
    : id_(id),
      options_(options),
      outstanding_readies_max_(outstanding_readies_max),
      durable_state_machine_(durable_state_machine),
      storage_(std::make_unique<consensus::MemoryLogStorage>(initial)) {
  options_.id = id;
  QUOKKA_ASSERT(outstanding_readies_max_ > 0, "a node must take Readies");
}

void SimulatedNode::start(uint64_t random_seed) {
  QUOKKA_ASSERT(!up(), "node {} is already up", id_.value());
  if (!durable_state_machine_) applied_.clear();
  const Result<consensus::Snapshot> snapshot = storage_->snapshot();
  QUOKKA_ASSERT(snapshot.is_ok(), "reading node {}'s snapshot: {}", id_.value(),
                snapshot.status().to_string());
  if (snapshot->metadata.last.index > applied_index()) restore(*snapshot);
  consensus::RaftOptions options = options_;
  options.random_seed = random_seed;
  options.applied = applied_index();
  raft_ = std::make_unique<consensus::Raft>(options, *storage_);
  ++incarnation_;
}

void SimulatedNode::crash() {
  QUOKKA_ASSERT(up(), "node {} is already down", id_.value());
  raft_.reset();
  outstanding_.clear();
}

std::optional<ReadyStage> SimulatedNode::oldest_stage() const {
  if (outstanding_.empty()) return std::nullopt;
  return outstanding_.front().stage;
}

bool SimulatedNode::can_take_ready() const {
  return up() && outstanding_.size() < outstanding_readies_max_ &&
         raft_->has_ready();
}

void SimulatedNode::take_ready(ReadyEffects& effects) {
  QUOKKA_ASSERT(can_take_ready(), "node {} has no Ready to take", id_.value());
  Outstanding taken{raft_->ready(), ReadyStage::kMessagesSent};
  // Rule step 1: these promise nothing about this node's disk.
  for (const consensus::Message& message : taken.ready.messages) {
    effects.messages.push_back(message);
  }
  for (const consensus::ReadState& read : taken.ready.read_states) {
    effects.read_states.push_back(read);
  }
  outstanding_.push_back(std::move(taken));
}

void SimulatedNode::progress_oldest(ReadyEffects& effects) {
  QUOKKA_ASSERT(up(), "node {} is down", id_.value());
  QUOKKA_ASSERT(!outstanding_.empty(), "node {} has no Ready", id_.value());
  Outstanding& oldest = outstanding_.front();
  consensus::Ready& ready = oldest.ready;
  switch (oldest.stage) {
    case ReadyStage::kMessagesSent:
      // Rule step 2: snapshot, entries, then hard state.
      persist_log(ready, effects);
      if (ready.hard_state) storage_->set_hard_state(*ready.hard_state);
      oldest.stage = ReadyStage::kPersisted;
      return;
    case ReadyStage::kPersisted:
      // Rule step 3: these speak of state that is now durable.
      for (const consensus::Message& message : ready.messages_after_persist) {
        effects.messages.push_back(message);
      }
      oldest.stage = ReadyStage::kAcknowledged;
      return;
    case ReadyStage::kAcknowledged:
      // Rule step 4. The checker judges the order; the state machine takes
      // the entries as they come so that it shows what the core asked for.
      if (ready.snapshot) {
        const LogIndex before = applied_index();
        restore(*ready.snapshot);
        effects.applications.push_back({before, true, applied_});
      }
      if (!ready.committed_entries.empty()) {
        effects.applications.push_back(
            {applied_index(), false, ready.committed_entries});
        for (const LogEntry& entry : ready.committed_entries) {
          applied_.push_back(entry);
        }
      }
      oldest.stage = ReadyStage::kApplied;
      return;
    case ReadyStage::kApplied:
      // Rule step 5.
      raft_->advance(ready);
      outstanding_.pop_front();
      return;
  }
}

void SimulatedNode::persist_log(const consensus::Ready& ready,
                                ReadyEffects& effects) {
  if (ready.snapshot) storage_->apply_snapshot(*ready.snapshot);
  if (ready.entries.empty()) return;
  storage_->append(ready.entries);
  // The storage ignores entries its snapshot already covers.
  for (const LogEntry& entry : ready.entries) {
    if (entry.index < storage_->first_index()) continue;
    const Result<Term> previous =
        storage_->term_at(LogIndex(entry.index.value() - 1));
    QUOKKA_ASSERT(previous.is_ok(), "node {} lost the entry before {}",
                  id_.value(), entry.index.value());
    effects.persisted.push_back({entry, previous.value()});
  }
}

void SimulatedNode::crash_before_hard_state(ReadyEffects& effects) {
  QUOKKA_ASSERT(oldest_stage() == ReadyStage::kMessagesSent,
                "node {} has no Ready waiting to be persisted", id_.value());
  persist_log(outstanding_.front().ready, effects);
  crash();
}

void SimulatedNode::drain(ReadyEffects& effects, size_t readies_max) {
  QUOKKA_ASSERT(up(), "node {} is down", id_.value());
  size_t taken = 0;
  for (;;) {
    while (!outstanding_.empty()) progress_oldest(effects);
    if (taken == readies_max || !raft_->has_ready()) return;
    take_ready(effects);
    ++taken;
  }
}

void SimulatedNode::restore(const consensus::Snapshot& snapshot) {
  applied_ = decode_state(snapshot.data);
}

std::optional<LogIndex> SimulatedNode::compact() {
  QUOKKA_ASSERT(up(), "node {} is down", id_.value());
  // Only what is applied, and still in the durable log, can be snapshotted.
  const LogIndex index = std::min(applied_index(), storage_->last_index());
  if (index < storage_->first_index()) return std::nullopt;
  storage_->create_snapshot(index, raft_->conf_state(),
                            encode_state(applied_, index));
  return index;
}

LogView SimulatedNode::persisted_log() const {
  LogView view{storage_->first_index(), {}};
  const LogIndex last = storage_->last_index();
  if (view.first <= last) {
    Result<std::vector<LogEntry>> stored =
        storage_->entries(view.first, LogIndex(last.value() + 1), UINT64_MAX);
    QUOKKA_ASSERT(stored.is_ok(), "reading node {}'s log: {}", id_.value(),
                  stored.status().to_string());
    view.entries = std::move(stored).value();
  }
  return view;
}

LogView SimulatedNode::handed_out_log() const {
  LogView view = persisted_log();
  for (const Outstanding& pending : outstanding_) {
    if (pending.stage != ReadyStage::kMessagesSent) continue;
    if (pending.ready.snapshot) {
      // Like the storage: a snapshot replaces the whole log.
      view.first =
          LogIndex(pending.ready.snapshot->metadata.last.index.value() + 1);
      view.entries.clear();
    }
    const std::vector<LogEntry>& entries = pending.ready.entries;
    if (entries.empty()) continue;
    // Like the storage: an entry replaces the one at its index and every
    // one after it.
    const LogIndex from = entries.front().index;
    const uint64_t keep =
        from < view.first ? 0 : from.value() - view.first.value();
    if (keep < view.entries.size()) view.entries.resize(keep);
    view.entries.insert(view.entries.end(), entries.begin(), entries.end());
  }
  return view;
}

}  // namespace quokka::testing::raft_property
