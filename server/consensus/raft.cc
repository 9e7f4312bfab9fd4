#include "server/consensus/raft.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/assert.h"

namespace quokka::consensus {

Raft::Raft(const RaftOptions& options, const LogStorage& storage)
    : options_(options),
      id_(options.id),
      storage_(storage),
      log_(storage),
      random_(options.random_seed ^ (options.id.value() * 0x9e3779b97f4a7c15ULL)) {
  QUOKKA_ASSERT(id_ != NodeId(0), "node id 0 means nobody");
  QUOKKA_ASSERT(options_.heartbeat_ticks > 0, "heartbeat_ticks must be positive");
  QUOKKA_ASSERT(options_.election_timeout_ticks > options_.heartbeat_ticks,
                "election timeout {} must exceed heartbeat interval {}",
                options_.election_timeout_ticks, options_.heartbeat_ticks);
  const HardState hard = storage.hard_state();
  term_ = hard.term;
  vote_ = hard.vote;
  // Committed entries the application applied before a restart are not
  // handed out again.
  if (options_.applied > log_.applied()) log_.skip_applied(options_.applied);
  rebuild_conf_state();
  last_hard_state_ = hard_state();
  checked_term_ = term_;
  checked_commit_ = log_.committed();
  become_follower(term_, NodeId(0));
  last_soft_state_ = soft_state();
}

const Progress* Raft::progress(NodeId id) const {
  if (role_ != Role::kLeader) return nullptr;
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

void Raft::reset(Term term) {
  if (term_ != term) {
    term_ = term;
    vote_ = NodeId(0);
  }
  leader_ = NodeId(0);
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  randomized_election_timeout_ =
      options_.election_timeout_ticks + random_.below(options_.election_timeout_ticks);
  transfer_target_ = NodeId(0);
  votes_.clear();
  progress_.clear();
  uncommitted_bytes_ = 0;
  drop_all_reads();
}

void Raft::become_follower(Term term, NodeId leader) {
  reset(term);
  leader_ = leader;
  role_ = Role::kFollower;
}

void Raft::become_pre_candidate() {
  QUOKKA_ASSERT(role_ != Role::kLeader, "a leader cannot become pre-candidate");
  // A pre-candidate keeps its term and vote: it only asks whether it could
  // win (thesis §9.6).
  votes_.clear();
  drop_all_reads();
  leader_ = NodeId(0);
  role_ = Role::kPreCandidate;
}

void Raft::become_candidate() {
  QUOKKA_ASSERT(role_ != Role::kLeader, "a leader cannot become candidate");
  reset(Term(term_.value() + 1));
  vote_ = id_;
  role_ = Role::kCandidate;
}

void Raft::become_leader() {
  QUOKKA_ASSERT(role_ == Role::kCandidate, "only a candidate becomes leader");
  reset(term_);
  leader_ = id_;
  role_ = Role::kLeader;
  for (NodeId voter : conf_.voters) add_progress(voter, false);
  for (NodeId learner : conf_.learners) add_progress(learner, true);
  if (auto self = progress_.find(id_); self != progress_.end()) {
    self->second.become_replicate();
    self->second.maybe_update(log_.last_persisted_index());
  }
  // Raft §8: a new leader commits an entry of its own term, which also
  // commits everything before it. Reads wait for it (thesis §6.4).
  append_entries({LogEntry{LogIndex(0), Term(0), EntryType::kNormal, {}}});
  // No membership change until this leader has committed in its term and
  // any change still in the log is committed (Ongaro's single-server fix).
}

void Raft::add_progress(NodeId id, bool is_learner) {
  auto [it, inserted] = progress_.try_emplace(
      id, LogIndex(log_.last_index().value() + 1), options_.inflight_messages_max,
      options_.inflight_bytes_max);
  it->second.is_learner = is_learner;
  // A new leader, or a new member, starts with a full election timeout of
  // credit before CheckQuorum counts it as silent.
  if (inserted) it->second.last_heard_tick = ticks_;
}

void Raft::send(Message message) {
  message.from = id_;
  if (message.term == Term(0)) message.term = term_;
  message.lamport_time = clock_.tick_for_send();
  switch (message.type) {
    // Each speaks of this node's durable state: a vote cast, entries
    // accepted, a term and self-vote of a candidate.
    case MessageType::kVote:
    case MessageType::kVoteResponse:
    case MessageType::kAppendResponse:
      messages_after_persist_.push_back(std::move(message));
      break;
    default:
      messages_.push_back(std::move(message));
      break;
  }
}

void Raft::tick() {
  ++ticks_;
  switch (role_) {
    case Role::kLeader:
      tick_heartbeat();
      break;
    case Role::kFollower:
    case Role::kPreCandidate:
    case Role::kCandidate:
      tick_election();
      break;
  }
  tick_reads();
  if (options_.check_invariants) check_invariants();
}

void Raft::step(const Message& message) {
  if (message.to != id_) return;
  clock_.observe(message.lamport_time);
  if (step_for_term(message)) {
    switch (message.type) {
      case MessageType::kVote:
      case MessageType::kPreVote:
        handle_vote_request(message);
        break;
      default:
        switch (role_) {
          case Role::kLeader:
            step_leader(message);
            break;
          case Role::kPreCandidate:
          case Role::kCandidate:
            step_candidate(message);
            break;
          case Role::kFollower:
            step_follower(message);
            break;
        }
    }
  }
  if (options_.check_invariants) check_invariants();
}

void Raft::campaign_now() {
  if (role_ == Role::kLeader) return;
  campaign(options_.pre_vote ? CampaignKind::kPreElection : CampaignKind::kElection);
}

Result<LogPosition> Raft::propose(const std::vector<std::string>& commands) {
  if (role_ != Role::kLeader) {
    return Status(ErrorCode::kNotLeader,
                  leader_ == NodeId(0)
                      ? std::string("no leader is known")
                      : fmt::format("node {} is the leader", leader_.value()));
  }
  if (transfer_target_ != NodeId(0)) {
    return Status(ErrorCode::kNotLeader,
                  fmt::format("leadership is moving to node {}",
                              transfer_target_.value()));
  }
  if (commands.empty()) {
    return Status(ErrorCode::kInvalidArgument, "a proposal needs a command");
  }
  uint64_t bytes = 0;
  for (const std::string& command : commands) bytes += command.size();
  // One proposal may always go when nothing is pending, however large.
  if (uncommitted_bytes_ > 0 &&
      uncommitted_bytes_ + bytes > options_.uncommitted_bytes_max) {
    return Status(ErrorCode::kOverloaded,
                  fmt::format("{} bytes proposed and not yet committed; the "
                              "limit is uncommitted_bytes_max = {}",
                              uncommitted_bytes_ + bytes,
                              options_.uncommitted_bytes_max));
  }
  std::vector<LogEntry> entries;
  entries.reserve(commands.size());
  for (const std::string& command : commands) {
    entries.push_back(LogEntry{LogIndex(0), Term(0), EntryType::kNormal, command});
  }
  uncommitted_bytes_ += bytes;
  append_entries(std::move(entries));
  return LogPosition{log_.last_index(), term_};
}

bool Raft::has_ready() const {
  if (soft_state() != last_soft_state_) return true;
  if (hard_state() != last_hard_state_) return true;
  if (log_.has_snapshot_to_hand_out() || log_.has_entries_to_hand_out()) return true;
  if (!messages_.empty() || !messages_after_persist_.empty()) return true;
  if (broadcast_requested_ && role_ == Role::kLeader) return true;
  if (log_.has_committed_to_hand_out()) return true;
  if (!read_states_.empty() || !dropped_reads_.empty()) return true;
  return role_ == Role::kLeader && !reads_.queued.empty() &&
         committed_in_current_term();
}

Ready Raft::ready() {
  start_read_round();
  if (broadcast_requested_) {
    broadcast_requested_ = false;
    if (role_ == Role::kLeader) broadcast_append();
  }
  Ready ready;
  if (soft_state() != last_soft_state_) {
    ready.soft_state = soft_state();
    last_soft_state_ = soft_state();
  }
  if (hard_state() != last_hard_state_) {
    ready.hard_state = hard_state();
    last_hard_state_ = hard_state();
  }
  Outstanding outstanding;
  if (std::optional<Snapshot> snapshot = log_.hand_out_snapshot()) {
    outstanding.snapshot_index = snapshot->metadata.last.index;
    ready.snapshot = std::move(snapshot);
  }
  ready.entries = log_.hand_out_entries();
  if (!ready.entries.empty()) {
    outstanding.last_entry =
        LogPosition{ready.entries.back().index, ready.entries.back().term};
  }
  ready.messages = std::move(messages_);
  messages_.clear();
  ready.messages_after_persist = std::move(messages_after_persist_);
  messages_after_persist_.clear();
  ready.committed_entries = log_.hand_out_committed(options_.apply_bytes_max);
  for (const LogEntry& entry : ready.committed_entries) {
    uncommitted_bytes_ -= std::min<uint64_t>(uncommitted_bytes_, entry.data.size());
  }
  outstanding.applying = log_.applying();
  ready.read_states = std::move(read_states_);
  read_states_.clear();
  ready.dropped_reads = std::move(dropped_reads_);
  dropped_reads_.clear();
  ready.lamport_time = clock_.now();
  outstanding_.push_back(outstanding);
  return ready;
}

void Raft::advance(const Ready& ready) {
  QUOKKA_ASSERT(!outstanding_.empty(), "advance() without an outstanding Ready");
  const Outstanding done = outstanding_.front();
  outstanding_.pop_front();
  QUOKKA_ASSERT(ready.entries.empty() ||
                    (done.last_entry && done.last_entry->index == ready.entries.back().index),
                "Readies must be advanced in the order they were handed out");
  if (done.snapshot_index) log_.snapshot_persisted(*done.snapshot_index);
  if (done.last_entry) {
    log_.entries_persisted(done.last_entry->index, done.last_entry->term);
  }
  log_.set_applied(done.applying);
  after_persisted(log_.last_persisted_index());
}

std::string Raft::describe() const {
  return fmt::format("id={} term={} role={} leader={} commit={} applied={} last={}",
                     id_.value(), term_.value(), role_name(role_),
                     leader_.value(), log_.committed().value(),
                     log_.applied().value(), log_.last_index().value());
}

}  // namespace quokka::consensus
