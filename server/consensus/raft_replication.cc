// Log replication (Raft §5.3), commitment (§5.4.2), snapshots (§7) and
// leadership transfer (thesis §3.10): how messages are handled per role.
#include <algorithm>

#include "common/assert.h"
#include "server/consensus/quorum.h"
#include "server/consensus/raft.h"

namespace quokka::consensus {

void Raft::step_leader(const Message& m) {
  auto it = progress_.find(m.from);
  switch (m.type) {
    case MessageType::kAppendResponse:
      if (it != progress_.end()) handle_append_response(m);
      break;
    case MessageType::kHeartbeatResponse:
      if (it != progress_.end()) handle_heartbeat_response(m);
      break;
    case MessageType::kReadIndex:
      handle_read_index_request(m);
      break;
    case MessageType::kAppend:
    case MessageType::kHeartbeat:
    case MessageType::kSnapshot:
      // Another leader in this very term: election safety is broken.
      QUOKKA_ASSERT(!options_.check_invariants,
                    "node {} leads term {} but node {} sent {}", id_.value(),
                    term_.value(), m.from.value(), consensus::describe(m));
      break;
    default:
      break;
  }
}

void Raft::step_candidate(const Message& m) {
  switch (m.type) {
    case MessageType::kAppend:
    case MessageType::kHeartbeat:
    case MessageType::kSnapshot:
      // A leader of this term exists (Raft §5.2): follow it.
      become_follower(m.term, m.from);
      step_follower(m);
      break;
    case MessageType::kVoteResponse:
    case MessageType::kPreVoteResponse:
      handle_vote_response(m);
      break;
    default:
      break;
  }
}

void Raft::step_follower(const Message& m) {
  switch (m.type) {
    case MessageType::kAppend:
    case MessageType::kHeartbeat:
    case MessageType::kSnapshot:
      if (leader_ != m.from) {
        // Two leaders in one term would break election safety.
        QUOKKA_ASSERT(leader_ == NodeId(0) || !options_.check_invariants,
                      "node {} follows {} in term {} but {} sent {}",
                      id_.value(), leader_.value(), term_.value(),
                      m.from.value(), consensus::describe(m));
        leader_ = m.from;
      }
      election_elapsed_ = 0;
      if (m.type == MessageType::kAppend) {
        handle_append(m);
      } else if (m.type == MessageType::kHeartbeat) {
        handle_heartbeat(m);
      } else {
        handle_snapshot(m);
      }
      break;
    case MessageType::kTimeoutNow:
      // The leader hands over: campaign at once, skipping PreVote, since
      // the leader itself asked (thesis §3.10).
      campaign(CampaignKind::kTransfer);
      break;
    case MessageType::kReadIndexResponse: {
      auto found = std::find_if(reads_.queued.begin(), reads_.queued.end(),
                                [&](const ReadRequest& r) { return r.context == m.context; });
      if (found == reads_.queued.end()) break;  // already given up on
      if (m.reject) {
        dropped_reads_.push_back(found->context);
      } else {
        read_states_.push_back(ReadState{m.index, found->context});
      }
      reads_.queued.erase(found);
      break;
    }
    default:
      break;
  }
}

void Raft::append_entries(std::vector<LogEntry> entries) {
  LogIndex index = log_.last_index();
  for (LogEntry& entry : entries) {
    index = LogIndex(index.value() + 1);
    entry.index = index;
    entry.term = term_;
  }
  note_appended(entries);
  log_.append(entries);
  // The leader's own entries count towards a quorum only once persisted
  // (advance), so a commit index sent out never runs ahead of its disk.
  request_broadcast();
}

void Raft::broadcast_append() {
  for (auto& [id, progress] : progress_) {
    if (id != id_) maybe_send_append(id, true);
  }
}

void Raft::broadcast_heartbeat(const std::string& context) {
  for (auto& [id, progress] : progress_) {
    if (id != id_) send_heartbeat(id, context);
  }
}

void Raft::send_heartbeat(NodeId to, const std::string& context) {
  Progress& progress = progress_.at(to);
  Message message;
  message.type = MessageType::kHeartbeat;
  message.to = to;
  // The follower may not hold entries past match; it must not commit them.
  message.commit = std::min(progress.match, log_.committed());
  message.context = context;
  progress.sent_commit = std::max(progress.sent_commit, message.commit);
  send(std::move(message));
}

bool Raft::maybe_send_append(NodeId to, bool send_if_empty) {
  Progress& progress = progress_.at(to);
  if (progress.is_paused()) return false;
  const LogIndex prev(progress.next.value() - 1);
  std::optional<Term> prev_term = log_.term_at(prev);
  std::optional<std::vector<LogEntry>> entries =
      log_.entries_from(progress.next, options_.append_bytes_max);
  if (!prev_term || !entries) return send_snapshot(to, progress);
  if (entries->empty() && !send_if_empty) return false;
  Message message;
  message.type = MessageType::kAppend;
  message.to = to;
  message.index = prev;
  message.log_term = *prev_term;
  message.commit = log_.committed();
  progress.sent_commit = std::max(progress.sent_commit, message.commit);
  if (!entries->empty()) {
    message.entries = std::move(*entries);
    progress.sent_entries(message.entries.back().index, message.entries_bytes());
  } else if (progress.state == ReplicationState::kProbe) {
    progress.probe_sent = true;
  }
  send(std::move(message));
  return true;
}

bool Raft::send_snapshot(NodeId to, Progress& progress) {
  Result<Snapshot> snapshot = storage_.snapshot();
  QUOKKA_ASSERT(snapshot.is_ok(), "the snapshot is unreadable: {}",
                snapshot.status().to_string());
  QUOKKA_ASSERT(!snapshot->empty(),
                "node {} needs entries before {} but there is no snapshot",
                to.value(), log_.first_index().value());
  Message message;
  message.type = MessageType::kSnapshot;
  message.to = to;
  progress.become_snapshot(snapshot->metadata.last.index);
  message.snapshot = std::move(snapshot).value();
  send(std::move(message));
  return true;
}

void Raft::handle_append(const Message& m) {
  Message response;
  response.type = MessageType::kAppendResponse;
  response.to = m.from;
  if (m.index < log_.committed()) {
    // Everything through commit is already here and final.
    response.index = log_.committed();
    send(std::move(response));
    return;
  }
  std::vector<LogEntry> accepted;
  if (log_.matches(m.index, m.log_term)) {
    const LogIndex conflict = log_.find_conflict(m.entries);
    if (conflict != LogIndex(0)) {
      accepted.assign(m.entries.begin() +
                          static_cast<long>(conflict.value() - m.index.value() - 1),
                      m.entries.end());
    }
  }
  const bool rewrites_conf = !accepted.empty() && accepted.front().index <= conf_index_;
  if (std::optional<LogIndex> last_new =
          log_.maybe_append(m.index, m.log_term, m.commit, m.entries)) {
    if (rewrites_conf) {
      rebuild_conf_state();
    } else {
      note_appended(accepted);
    }
    response.index = *last_new;
    send(std::move(response));
    return;
  }
  // Fast backtracking: point the leader at the last entry whose term could
  // match, so it skips a whole term of divergent entries per round trip.
  const LogIndex hint =
      log_.find_conflict_by_term(std::min(m.index, log_.last_index()), m.log_term);
  response.index = m.index;
  response.reject = true;
  response.reject_hint = hint;
  response.reject_hint_term = log_.term_at(hint).value_or(Term(0));
  send(std::move(response));
}

void Raft::handle_heartbeat(const Message& m) {
  log_.commit_to(std::min(m.commit, log_.last_index()));
  Message response;
  response.type = MessageType::kHeartbeatResponse;
  response.to = m.from;
  response.context = m.context;
  send(std::move(response));
}

void Raft::handle_snapshot(const Message& m) {
  QUOKKA_ASSERT(m.snapshot.has_value(), "a snapshot message without a snapshot");
  const Snapshot& snapshot = *m.snapshot;
  const LogPosition last = snapshot.metadata.last;
  Message response;
  response.type = MessageType::kAppendResponse;
  response.to = m.from;
  if (last.index <= log_.committed()) {
    response.index = log_.committed();
  } else if (log_.matches(last.index, last.term)) {
    // The log already holds the snapshot's last entry: fast-forward the
    // commit. Only what the snapshot covers is known to match the leader;
    // entries past it may still conflict, so acknowledge no further.
    log_.commit_to(last.index);
    response.index = log_.committed();
  } else {
    log_.restore(snapshot);
    rebuild_conf_state();
    response.index = log_.last_index();
  }
  send(std::move(response));
}

void Raft::handle_append_response(const Message& m) {
  Progress& progress = progress_.at(m.from);
  progress.last_heard_tick = ticks_;
  if (m.reject) {
    LogIndex next_probe = m.reject_hint;
    if (m.reject_hint_term > Term(0)) {
      next_probe = log_.find_conflict_by_term(m.reject_hint, m.reject_hint_term);
    }
    if (progress.maybe_decrease_to(m.index, LogIndex(next_probe.value() + 1))) {
      if (progress.state == ReplicationState::kReplicate) progress.become_probe();
      maybe_send_append(m.from, true);
    }
    return;
  }
  const bool was_paused = progress.is_paused();
  if (!progress.maybe_update(m.index)) {
    // A duplicate; it still frees the window.
    progress.inflights.free_through(m.index);
    if (was_paused && !progress.is_paused()) maybe_send_append(m.from, false);
    return;
  }
  switch (progress.state) {
    case ReplicationState::kProbe:
      progress.become_replicate();
      break;
    case ReplicationState::kSnapshot:
      if (progress.match >= progress.pending_snapshot) {
        progress.become_probe();
        progress.become_replicate();
      }
      break;
    case ReplicationState::kReplicate:
      progress.inflights.free_through(m.index);
      break;
  }
  if (maybe_commit()) {
    commit_advanced();
  } else {
    bool sent = false;
    while (maybe_send_append(m.from, false)) sent = true;
    // The follower holds the committed entries but may not know they are
    // committed: tell it now rather than at the next heartbeat.
    if (!sent && progress.sent_commit < log_.committed() &&
        progress.match >= log_.committed()) {
      maybe_send_append(m.from, true);
    }
  }
  if (m.from == transfer_target_ && progress.match == log_.last_index()) {
    Message timeout_now;
    timeout_now.type = MessageType::kTimeoutNow;
    timeout_now.to = m.from;
    send(std::move(timeout_now));
  }
}

void Raft::handle_heartbeat_response(const Message& m) {
  Progress& progress = progress_.at(m.from);
  progress.last_heard_tick = ticks_;
  progress.probe_sent = false;
  if (progress.state == ReplicationState::kReplicate && progress.inflights.full()) {
    // The window stays full only if acknowledgements were lost; the
    // follower is alive, so free the oldest message and go on.
    progress.inflights.free_first();
  }
  if (progress.match < log_.last_index()) maybe_send_append(m.from, true);
  if (const uint64_t round = decode_read_round(m.context); round != 0) {
    for (ReadRound& r : reads_.rounds) {
      if (r.id == round) r.acknowledged.insert(m.from);
    }
    release_acknowledged_rounds();
  }
}

bool Raft::committed_in_current_term() const {
  std::optional<Term> term = log_.term_at(log_.committed());
  return term.has_value() && *term == term_;
}

bool Raft::maybe_commit() {
  std::map<NodeId, LogIndex> acked;
  for (const auto& [id, progress] : progress_) {
    if (!progress.is_learner) acked[id] = progress.match;
  }
  const LogIndex index = MajorityQuorum(conf_.voters).committed_index(acked);
  if (options_.faults.commit_older_terms_by_counting) {
    // The broken rule: commit whatever a majority holds, of any term.
    if (index > log_.committed() && index <= log_.last_index()) {
      log_.commit_to(index);
      return true;
    }
    return false;
  }
  // Raft §5.4.2: only an entry of the current term is committed by counting
  // replicas; earlier entries commit with it.
  return log_.maybe_commit(index, term_);
}

void Raft::commit_advanced() {
  // Followers learn the new commit index from the next append.
  request_broadcast();
  // Thesis §4.2.2: a leader that removed itself leads until the change
  // commits, then steps down; it no longer counts in any quorum.
  if (!conf_.is_voter(id_) && log_.committed() >= conf_index_) {
    become_follower(term_, NodeId(0));
  }
}

void Raft::after_persisted(LogIndex stable_index) {
  if (role_ != Role::kLeader) return;
  auto self = progress_.find(id_);
  if (self == progress_.end()) return;  // removed itself; not counted
  if (self->second.maybe_update(stable_index) && maybe_commit()) {
    commit_advanced();
  }
}

}  // namespace quokka::consensus
