// Membership (thesis §4.1: one server at a time, in force from the moment
// its entry is in the log) and leadership transfer (thesis §3.10).
#include <fmt/format.h>

#include "common/assert.h"
#include "server/consensus/raft.h"

namespace quokka::consensus {

void Raft::rebuild_conf_state() {
  conf_ = storage_.snapshot_conf_state();
  if (const std::optional<Snapshot>& pending = log_.unstable_snapshot()) {
    conf_ = pending->metadata.conf_state;
  }
  conf_index_ = LogIndex(0);
  std::optional<std::vector<LogEntry>> entries =
      log_.all_entries_from(log_.first_index());
  QUOKKA_ASSERT(entries.has_value(), "the log from {} is unreadable",
                log_.first_index().value());
  note_appended(*entries);
  apply_conf_to_progress();
}

void Raft::note_appended(const std::vector<LogEntry>& entries) {
  bool changed = false;
  for (const LogEntry& entry : entries) {
    if (entry.type != EntryType::kConfChange) continue;
    // A node that knows no voters cannot tell a majority: it was started
    // without the cluster's membership (a joining node must be given the
    // current members, as etcd's --initial-cluster-state=existing), and
    // counting from nothing would let it elect itself alone.
    QUOKKA_ASSERT(!conf_.voters.empty(),
                  "node {} applies membership entry {} without knowing the voters; "
                  "start a joining node with the cluster's membership",
                  id_.value(), entry.index.value());
    Result<ConfChange> change = decode_conf_change(entry.data);
    QUOKKA_ASSERT(change.is_ok(), "membership entry {} is unreadable: {}",
                  entry.index.value(), change.status().to_string());
    Result<ConfState> next = apply_conf_change(conf_, *change);
    // The leader validated the change against the same configuration, so a
    // change that does not apply here means the logs diverged.
    QUOKKA_ASSERT(next.is_ok(), "membership entry {} does not apply: {}",
                  entry.index.value(), next.status().to_string());
    conf_ = std::move(next).value();
    conf_index_ = entry.index;
    changed = true;
  }
  if (changed) apply_conf_to_progress();
}

void Raft::apply_conf_to_progress() {
  if (role_ != Role::kLeader) return;
  std::erase_if(progress_, [&](const auto& item) { return !conf_.is_member(item.first); });
  for (NodeId voter : conf_.voters) add_progress(voter, false);
  for (NodeId learner : conf_.learners) add_progress(learner, true);
  if (transfer_target_ != NodeId(0) && !conf_.is_voter(transfer_target_)) {
    transfer_target_ = NodeId(0);
  }
}

Result<LogPosition> Raft::propose_conf_change(const ConfChange& change) {
  if (role_ != Role::kLeader) {
    return Status(ErrorCode::kNotLeader,
                  leader_ == NodeId(0)
                      ? std::string("no leader is known")
                      : fmt::format("node {} is the leader", leader_.value()));
  }
  if (!committed_in_current_term()) {
    return Status(ErrorCode::kOverloaded,
                  "the leader has not yet committed an entry of its term; "
                  "retry the membership change shortly");
  }
  if (conf_index_ > log_.committed()) {
    return Status(ErrorCode::kOverloaded,
                  fmt::format("membership change at index {} is not yet "
                              "committed; one change at a time",
                              conf_index_.value()));
  }
  Result<ConfState> next = apply_conf_change(conf_, change);
  if (!next.is_ok()) return next.status();
  append_entries({LogEntry{LogIndex(0), Term(0), EntryType::kConfChange,
                           encode_conf_change(change)}});
  // A leader that removed itself still leads until the change commits, but
  // no longer counts itself (thesis §4.2.2); maybe_commit sees conf_.
  return LogPosition{log_.last_index(), term_};
}

Status Raft::transfer_leadership(NodeId to) {
  if (role_ != Role::kLeader) {
    return Status(ErrorCode::kNotLeader, "only the leader can hand over leadership");
  }
  if (to == id_) return Status::ok();
  if (!conf_.is_voter(to)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("node {} is not a voter; leadership goes to voters only",
                              to.value()));
  }
  transfer_target_ = to;
  // The transfer must finish within an election timeout (tick_heartbeat).
  election_elapsed_ = 0;
  const Progress& progress = progress_.at(to);
  if (progress.match == log_.last_index()) {
    Message timeout_now;
    timeout_now.type = MessageType::kTimeoutNow;
    timeout_now.to = to;
    send(std::move(timeout_now));
  } else {
    maybe_send_append(to, true);
  }
  return Status::ok();
}

void Raft::report_snapshot_failure(NodeId to) {
  auto it = progress_.find(to);
  if (it == progress_.end() || it->second.state != ReplicationState::kSnapshot) return;
  it->second.become_probe();
  // Wait for a heartbeat response before probing again.
  it->second.probe_sent = true;
}

void Raft::report_unreachable(NodeId to) {
  auto it = progress_.find(to);
  if (it == progress_.end()) return;
  if (it->second.state == ReplicationState::kReplicate) it->second.become_probe();
}

}  // namespace quokka::consensus
