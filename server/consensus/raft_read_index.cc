// Linearizable reads without clock leases (Raft thesis §6.4): a read index
// is the commit index at the time of the request, confirmed by a heartbeat
// round to a majority that started after the request.
#include <algorithm>

#include <fmt/format.h>

#include "common/assert.h"
#include "server/consensus/quorum.h"
#include "server/consensus/raft.h"

namespace quokka::consensus {

Status Raft::read_index(std::string context) {
  if (reads_.pending() >= options_.pending_reads_max) {
    return Status(ErrorCode::kOverloaded,
                  fmt::format("{} reads are waiting for a read index; the limit "
                              "is pending_reads_max = {}",
                              reads_.pending(), options_.pending_reads_max));
  }
  if (role_ == Role::kLeader) {
    reads_.queued.push_back(ReadRequest{std::move(context), id_, 0});
    return Status::ok();
  }
  if (leader_ == NodeId(0)) {
    return Status(ErrorCode::kNotLeader, "no leader is known to ask for a read index");
  }
  Message message;
  message.type = MessageType::kReadIndex;
  message.to = leader_;
  message.context = context;
  send(std::move(message));
  reads_.queued.push_back(ReadRequest{std::move(context), id_, 0});
  return Status::ok();
}

void Raft::handle_read_index_request(const Message& m) {
  if (reads_.pending() >= options_.pending_reads_max) {
    Message refusal;
    refusal.type = MessageType::kReadIndexResponse;
    refusal.to = m.from;
    refusal.context = m.context;
    refusal.reject = true;
    send(std::move(refusal));
    return;
  }
  reads_.queued.push_back(ReadRequest{m.context, m.from, 0});
}

void Raft::start_read_round() {
  if (role_ != Role::kLeader || reads_.queued.empty()) return;
  // Thesis §6.4: until an entry of its term commits, a new leader does not
  // know the commit index of its predecessor; reads wait.
  if (!committed_in_current_term()) return;
  ReadRound round;
  round.id = reads_.next_round_id++;
  round.index = log_.committed();
  round.requests = std::move(reads_.queued);
  reads_.queued.clear();
  round.acknowledged.insert(id_);
  reads_.rounds.push_back(std::move(round));
  broadcast_heartbeat(encode_read_round(reads_.rounds.back().id));
  release_acknowledged_rounds();
}

void Raft::release_acknowledged_rounds() {
  const MajorityQuorum quorum(conf_.voters);
  // A round confirmed by a majority also confirms every earlier round: the
  // leader was still leader after they all started.
  size_t confirmed = 0;
  for (size_t i = 0; i < reads_.rounds.size(); ++i) {
    std::map<NodeId, bool> votes;
    for (NodeId id : reads_.rounds[i].acknowledged) votes[id] = true;
    if (quorum.vote_result(votes) == VoteResult::kWon) confirmed = i + 1;
  }
  for (size_t i = 0; i < confirmed; ++i) {
    ReadRound& round = reads_.rounds.front();
    release_read_requests(std::move(round.requests), round.index);
    reads_.rounds.pop_front();
  }
}

void Raft::release_read_requests(std::vector<ReadRequest> requests, LogIndex index) {
  for (ReadRequest& request : requests) {
    if (request.from == id_) {
      read_states_.push_back(ReadState{index, std::move(request.context)});
    } else {
      Message response;
      response.type = MessageType::kReadIndexResponse;
      response.to = request.from;
      response.index = index;
      response.context = std::move(request.context);
      send(std::move(response));
    }
  }
}

void Raft::drop_all_reads() {
  auto drop = [&](ReadRequest& request) {
    if (request.from == id_) {
      dropped_reads_.push_back(std::move(request.context));
    } else {
      // Tell the follower at once rather than let its client time out.
      Message refusal;
      refusal.type = MessageType::kReadIndexResponse;
      refusal.to = request.from;
      refusal.context = std::move(request.context);
      refusal.reject = true;
      send(std::move(refusal));
    }
  };
  for (ReadRequest& request : reads_.queued) drop(request);
  for (ReadRound& round : reads_.rounds) {
    for (ReadRequest& request : round.requests) drop(request);
  }
  reads_.queued.clear();
  reads_.rounds.clear();
}

void Raft::tick_reads() {
  // A read whose answer was lost (a dropped message, a leader that cannot
  // reach a majority) is given up after two election timeouts, so that no
  // request waits without bound.
  const uint64_t limit = 2 * options_.election_timeout_ticks;
  auto expired = [&](ReadRequest& request) {
    if (++request.waited_ticks < limit) return false;
    if (request.from == id_) dropped_reads_.push_back(request.context);
    return true;
  };
  std::erase_if(reads_.queued, expired);
  for (ReadRound& round : reads_.rounds) std::erase_if(round.requests, expired);
  std::erase_if(reads_.rounds, [](const ReadRound& r) { return r.requests.empty(); });
}

}  // namespace quokka::consensus
