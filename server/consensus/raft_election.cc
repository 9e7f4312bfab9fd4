// Elections: timeouts, PreVote (thesis §9.6), votes (Raft §5.2, §5.4.1),
// CheckQuorum (thesis §6.2) and the term rules every message goes through.
#include <fmt/format.h>

#include "common/assert.h"
#include "server/consensus/quorum.h"
#include "server/consensus/raft.h"

namespace quokka::consensus {
namespace {

// Marks a vote request sent on a leader's behalf during a transfer, which
// may disturb a follower that still hears from that leader.
constexpr const char* kTransferContext = "transfer";

bool is_vote_request(MessageType type) {
  return type == MessageType::kVote || type == MessageType::kPreVote;
}

}  // namespace

bool Raft::promotable() const { return conf_.is_voter(id_); }

void Raft::tick_election() {
  ++election_elapsed_;
  if (promotable() && election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    campaign(options_.pre_vote ? CampaignKind::kPreElection : CampaignKind::kElection);
  }
}

void Raft::tick_heartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  // Thesis §6.2: a leader that has not heard from a majority within an
  // election timeout steps down, since a newer leader may exist. Checked on
  // every tick, so it happens within one timeout of the last answer.
  if (options_.check_quorum && !quorum_active()) {
    become_follower(term_, NodeId(0));
    return;
  }
  if (election_elapsed_ >= options_.election_timeout_ticks) {
    election_elapsed_ = 0;
    // A transfer that has not finished within an election timeout failed.
    transfer_target_ = NodeId(0);
  }
  for (auto& [id, progress] : progress_) {
    if (progress.state != ReplicationState::kSnapshot) continue;
    if (++progress.snapshot_ticks >= options_.election_timeout_ticks) {
      progress.become_probe();
    }
  }
  if (heartbeat_elapsed_ >= options_.heartbeat_ticks) {
    heartbeat_elapsed_ = 0;
    broadcast_heartbeat({});
  }
}

bool Raft::quorum_active() const {
  std::map<NodeId, bool> active;
  for (const auto& [id, progress] : progress_) {
    if (progress.is_learner) continue;
    active[id] = (id == id_) ||
                 ticks_ - progress.last_heard_tick < options_.election_timeout_ticks;
  }
  return MajorityQuorum(conf_.voters).vote_result(active) == VoteResult::kWon;
}

void Raft::campaign(CampaignKind kind) {
  if (!promotable()) return;
  MessageType request = MessageType::kVote;
  Term term;
  if (kind == CampaignKind::kPreElection) {
    become_pre_candidate();
    request = MessageType::kPreVote;
    // Not this node's term yet: the term it would campaign in.
    term = Term(term_.value() + 1);
  } else {
    become_candidate();
    term = term_;
  }
  votes_[id_] = true;
  if (MajorityQuorum(conf_.voters).vote_result(votes_) == VoteResult::kWon) {
    // A single voter wins at once.
    if (kind == CampaignKind::kPreElection) {
      campaign(CampaignKind::kElection);
    } else {
      become_leader();
    }
    return;
  }
  for (NodeId voter : conf_.voters) {
    if (voter == id_) continue;
    Message message;
    message.type = request;
    message.to = voter;
    message.term = term;
    message.index = log_.last_index();
    message.log_term = log_.last_term();
    if (kind == CampaignKind::kTransfer) message.context = kTransferContext;
    send(std::move(message));
  }
}

// Returns whether the message goes on to role-specific handling.
bool Raft::step_for_term(const Message& m) {
  if (m.term > term_) {
    if (is_vote_request(m.type)) {
      const bool forced = m.context == kTransferContext;
      const bool in_lease = options_.check_quorum && leader_ != NodeId(0) &&
                            election_elapsed_ < options_.election_timeout_ticks;
      // Thesis §4.2.3 / §9.6: a node that heard from a leader recently
      // ignores candidates, so a removed or partitioned node cannot disrupt.
      if (!forced && in_lease) return false;
    }
    if (m.type == MessageType::kPreVote) {
      // Answered without taking the term: a pre-vote changes nothing.
    } else if (m.type == MessageType::kPreVoteResponse && !m.reject) {
      // The future term of our own pre-campaign; counted below.
    } else if (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat ||
               m.type == MessageType::kSnapshot) {
      become_follower(m.term, m.from);
    } else {
      become_follower(m.term, NodeId(0));
    }
  } else if (m.term < term_) {
    if ((options_.check_quorum || options_.pre_vote) &&
        (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat)) {
      // A stale leader (e.g. after a partition healed) learns the new term
      // from our answer and steps down; without it, with PreVote on, it
      // could keep the others' pre-votes failing forever.
      Message response;
      response.type = MessageType::kAppendResponse;
      response.to = m.from;
      send(std::move(response));
    } else if (m.type == MessageType::kPreVote) {
      Message response;
      response.type = MessageType::kPreVoteResponse;
      response.to = m.from;
      response.reject = true;
      send(std::move(response));
    }
    return false;
  }
  return true;
}

void Raft::handle_vote_request(const Message& m) {
  const bool pre_vote = m.type == MessageType::kPreVote;
  // Raft §5.2: one vote per term. A repeated request from the node we voted
  // for is answered again (the first answer may have been lost).
  bool can_vote = vote_ == m.from || (vote_ == NodeId(0) && leader_ == NodeId(0)) ||
                  (pre_vote && m.term > term_);
  if (!pre_vote && options_.faults.vote_twice_in_term) can_vote = true;
  Message response;
  response.type = pre_vote ? MessageType::kPreVoteResponse : MessageType::kVoteResponse;
  response.to = m.from;
  if (can_vote && log_.is_up_to_date(m.index, m.log_term)) {
    // A granted pre-vote answers in the candidate's future term, so the
    // candidate can count it.
    response.term = m.term;
    if (!pre_vote) {
      election_elapsed_ = 0;
      vote_ = m.from;
    }
  } else {
    response.reject = true;
  }
  send(std::move(response));
}

void Raft::handle_vote_response(const Message& m) {
  const MessageType expected = role_ == Role::kPreCandidate
                                   ? MessageType::kPreVoteResponse
                                   : MessageType::kVoteResponse;
  if (m.type != expected) return;
  votes_.try_emplace(m.from, !m.reject);
  switch (MajorityQuorum(conf_.voters).vote_result(votes_)) {
    case VoteResult::kWon:
      if (role_ == Role::kPreCandidate) {
        campaign(CampaignKind::kElection);
      } else {
        become_leader();
      }
      break;
    case VoteResult::kLost:
      become_follower(term_, NodeId(0));
      break;
    case VoteResult::kPending:
      break;
  }
}

}  // namespace quokka::consensus
