#include "server/consensus/progress.h"

#include <algorithm>

#include <fmt/format.h>

namespace quokka::consensus {

std::string_view replication_state_name(ReplicationState state) {
  switch (state) {
    case ReplicationState::kProbe: return "probe";
    case ReplicationState::kReplicate: return "replicate";
    case ReplicationState::kSnapshot: return "snapshot";
  }
  return "unknown";
}

void Progress::become_probe() {
  // Coming back from a snapshot, the follower holds at least the snapshot.
  if (state == ReplicationState::kSnapshot) {
    next = std::max(LogIndex(match.value() + 1),
                    LogIndex(pending_snapshot.value() + 1));
  } else {
    next = LogIndex(match.value() + 1);
  }
  state = ReplicationState::kProbe;
  probe_sent = false;
  pending_snapshot = LogIndex(0);
  snapshot_ticks = 0;
  inflights.reset();
}

void Progress::become_replicate() {
  state = ReplicationState::kReplicate;
  next = LogIndex(match.value() + 1);
  probe_sent = false;
  pending_snapshot = LogIndex(0);
  inflights.reset();
}

void Progress::become_snapshot(LogIndex snapshot_index) {
  state = ReplicationState::kSnapshot;
  pending_snapshot = snapshot_index;
  probe_sent = false;
  snapshot_ticks = 0;
  inflights.reset();
}

bool Progress::maybe_update(LogIndex index) {
  bool updated = false;
  if (match < index) {
    match = index;
    updated = true;
    probe_sent = false;
  }
  next = std::max(next, LogIndex(index.value() + 1));
  return updated;
}

void Progress::sent_entries(LogIndex last_index, uint64_t bytes) {
  switch (state) {
    case ReplicationState::kReplicate:
      next = LogIndex(last_index.value() + 1);
      inflights.add(last_index, bytes);
      break;
    case ReplicationState::kProbe:
      probe_sent = true;
      break;
    case ReplicationState::kSnapshot:
      break;
  }
}

bool Progress::maybe_decrease_to(LogIndex rejected, LogIndex next_to_try) {
  if (state == ReplicationState::kReplicate) {
    // Everything through match is known to be there; a rejection at or
    // below it is from an older exchange.
    if (rejected <= match) return false;
    next = LogIndex(match.value() + 1);
    return true;
  }
  // Probing: only the answer to the latest probe counts.
  if (LogIndex(next.value() - 1) != rejected) return false;
  next = std::max(std::min(rejected, next_to_try), LogIndex(match.value() + 1));
  if (next == LogIndex(0)) next = LogIndex(1);
  probe_sent = false;
  return true;
}

bool Progress::is_paused() const {
  switch (state) {
    case ReplicationState::kProbe: return probe_sent;
    case ReplicationState::kReplicate: return inflights.full();
    case ReplicationState::kSnapshot: return true;
  }
  return true;
}

std::string Progress::describe() const {
  return fmt::format("match={} next={} state={}{}", match.value(), next.value(),
                     replication_state_name(state),
                     is_learner ? " learner" : "");
}

}  // namespace quokka::consensus
