// Follower write forwarding (DESIGN.md "Write path" 1): a follower passes a
// client's write on to the leader it knows and relays the leader's answer.
// A forward is bounded in number (forwarded_writes_max) and in time (the
// client's deadline). Once sent, its outcome is the leader's to decide, so
// every way it can end without the leader's answer (deadline, a new leader,
// a broken link) is an indeterminate TIMEOUT: the write may have been
// proposed, and the client retries it under the same (client id, seq).
#include <fmt/format.h>

#include "common/assert.h"
#include "server/node/node.h"
#include "server/node/node_state.h"

namespace quokka::node {

void Node::forward_write(ClientRequest request, uint64_t deadline_ms, ResponseCallback done) {
  const uint64_t now = env_.monotonic_ms();
  const std::string op(request_name(request));
  const NodeId leader = raft_->leader();
  QUOKKA_ASSERT(leader != NodeId(0), "a write forwarded with no leader known");
  QUOKKA_ASSERT(leader != options_.id, "node {} forwards a write to itself", leader.value());
  if (state_->forwards.size() >= options_.forwarded_writes_max) {
    probe_->queue_refused("forwarded_writes");
    return refuse_request(op,
                          Status(ErrorCode::kOverloaded,
                                 fmt::format("{} forwarded writes await the leader's answer; "
                                             "the limit is forwarded_writes_max = {}",
                                             state_->forwards.size(),
                                             options_.forwarded_writes_max)),
                          done);
  }
  if (deadline_ms <= now) {
    // Nothing was sent: the deadline passed before the write left.
    return refuse_request(op,
                          Status(ErrorCode::kTimeout,
                                 "the deadline passed before the write could be forwarded"),
                          done);
  }
  const uint64_t id = state_->next_forward_id++;
  state_->forwards.emplace(id, PendingForward{leader, op, std::move(done), deadline_ms, now});
  probe_->write_forwarded();
  env_.send(leader, PeerMessage(ForwardedWrite{id, options_.incarnation, std::move(request),
                                               deadline_ms - now}));
}

void Node::receive_forwarded_write(NodeId from, ForwardedWrite forwarded) {
  const uint64_t id = forwarded.forward_id;
  const uint64_t incarnation = forwarded.incarnation;
  CommandType type = CommandType::kPut;
  if (std::holds_alternative<DeleteRequest>(forwarded.request)) type = CommandType::kDelete;
  if (std::holds_alternative<CompareAndSwapRequest>(forwarded.request)) {
    type = CommandType::kCompareAndSwap;
  }
  auto answer = [this, from, id, incarnation, type](ClientResponse response) {
    env_.send(from,
              PeerMessage(ForwardedWriteAnswer{id, incarnation, type, std::move(response)}));
  };
  if (state_->stopped) {
    ClientResponse response;
    response.status = Status(ErrorCode::kShuttingDown, "the node stopped after a disk failure");
    response.header = header();
    answer(std::move(response));
    return;
  }
  if (!is_write(forwarded.request)) {
    ClientResponse response;
    response.status = Status(ErrorCode::kInvalidArgument,
                             fmt::format("node {} forwarded a {}; only writes are forwarded",
                                         from.value(), request_name(forwarded.request)));
    response.header = header();
    answer(std::move(response));
    return;
  }
  // Peers are trusted members of the cluster (the handshake checked the
  // cluster id), and the follower already cut the deadline to its bound.
  const uint64_t deadline_ms = env_.monotonic_ms() + forwarded.deadline_ms;
  submit_write(std::move(forwarded.request), deadline_ms, std::move(answer),
               WriteOrigin::kForwarded);
  request_drain();
}

void Node::receive_forward_answer(NodeId from, ForwardedWriteAnswer answer) {
  // An answer meant for an earlier run of this node, one whose forward
  // already ended (deadline, new leader), or a duplicate: nobody waits.
  if (answer.incarnation != options_.incarnation) return;
  auto it = state_->forwards.find(answer.forward_id);
  if (it == state_->forwards.end() || it->second.leader != from) return;
  PendingForward forward = std::move(it->second);
  state_->forwards.erase(it);
  // Tell the client who leads, so its next writes skip this hop.
  if (answer.response.status.is_ok()) answer.response.leader_hint = forward.leader;
  probe_->queue_waited("forwarded_writes", env_.monotonic_ms() - forward.start_ms);
  probe_->request_finished(forward.op, answer.response.status.code(),
                           env_.monotonic_ms() - forward.start_ms);
  forward.done(std::move(answer.response));
}

void Node::fail_forwards(const std::function<bool(NodeId leader, uint64_t deadline_ms)>& ends,
                         const std::function<std::string(NodeId leader)>& why) {
  const uint64_t now = env_.monotonic_ms();
  // Deadlines are not ordered by forward id, so every forward is checked.
  for (auto it = state_->forwards.begin(); it != state_->forwards.end();) {
    if (!ends(it->second.leader, it->second.deadline_ms)) {
      ++it;
      continue;
    }
    PendingForward forward = std::move(it->second);
    it = state_->forwards.erase(it);
    ClientResponse response;
    response.status = Status(ErrorCode::kTimeout, why(forward.leader));
    response.indeterminate = true;
    response.header = header();
    probe_->queue_waited("forwarded_writes", now - forward.start_ms);
    probe_->request_finished(forward.op, ErrorCode::kTimeout, now - forward.start_ms);
    forward.done(std::move(response));
  }
}

void Node::known_leader_changed(NodeId leader) {
  if (state_->forwards.empty()) return;
  const std::string why =
      leader == NodeId(0)
          ? std::string("this node no longer knows a leader")
          : fmt::format("node {} leads now", leader.value());
  fail_forwards([leader](NodeId sent_to, uint64_t) { return sent_to != leader; },
                [&why](NodeId sent_to) {
                  return fmt::format("the write was forwarded to node {}, and {}; it may "
                                     "still apply",
                                     sent_to.value(), why);
                });
}

void Node::peer_disconnected(NodeId peer) {
  if (state_->forwards.empty()) return;
  fail_forwards([peer](NodeId sent_to, uint64_t) { return sent_to == peer; },
                [](NodeId sent_to) {
                  return fmt::format("the write was forwarded to node {}, and the connection "
                                     "to it broke before its answer came; it may still apply",
                                     sent_to.value());
                });
}

void Node::expire_forwards(uint64_t now_ms) {
  if (state_->forwards.empty()) return;
  fail_forwards([now_ms](NodeId, uint64_t deadline_ms) { return deadline_ms <= now_ms; },
                [](NodeId sent_to) {
                  return fmt::format("node {}, the leader, did not answer the forwarded "
                                     "write before its deadline; it may still apply",
                                     sent_to.value());
                });
}

}  // namespace quokka::node
