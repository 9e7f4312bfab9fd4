#include "tests/sim/sim_client.h"

#include <fmt/format.h>

#include "tests/sim/value_codec.h"

namespace quokka::sim {

SimClient::SimClient(uint64_t index, ClientWorld world, ClientTiming timing)
    : index_(index), world_(world), timing_(timing) {
  session_.client_id = world_.random.next();
  const std::vector<NodeId> ids = world_.cluster.node_ids();
  target_ = ids[world_.random.below(ids.size())];
}

void SimClient::run(Workload workload, uint64_t stop_at_ms) {
  workload_.emplace(std::move(workload));
  stop_at_ms_ = stop_at_ms;
  next_operation();
}

void SimClient::run_script(std::deque<PlannedOperation> script) {
  workload_.reset();
  script_ = std::move(script);
  stop_at_ms_ = UINT64_MAX;
  if (!in_operation_) next_operation();
}

void SimClient::next_operation() {
  if (!script_.empty()) {
    PlannedOperation plan = std::move(script_.front());
    script_.pop_front();
    begin(std::move(plan));
    return;
  }
  if (!workload_ || world_.scheduler.now_ms() >= stop_at_ms_) return;
  if (world_.random.chance(timing_.new_session_per_mille, 1000)) {
    session_ = node::WriteIdentity{world_.random.next(), 0};
    world_.trace.note(world_.scheduler.now_ms(), "client {} starts session {:x}", index_,
                      session_.client_id);
  }
  begin(workload_->next(world_.random));
}

void SimClient::begin(PlannedOperation plan) {
  const uint64_t now = world_.scheduler.now_ms();
  const ClientId client(index_);
  operation_ = Operation{};
  in_operation_ = true;
  operation_.invoked_ms = now;
  operation_.budget_end_ms = now + timing_.operation_budget_ms;
  const std::string label =
      plan.token.empty() ? std::string() : label_of(plan.token, plan.size);
  switch (plan.kind) {
    case OperationKind::kGet:
      operation_.history_id = world_.history.invoke_get(client, plan.key, now);
      break;
    case OperationKind::kPut:
      operation_.history_id = world_.history.invoke_put(client, plan.key, label, now);
      break;
    case OperationKind::kDelete:
      operation_.history_id = world_.history.invoke_delete(client, plan.key, now);
      break;
    case OperationKind::kCompareAndSwap:
      operation_.history_id = world_.history.invoke_compare_and_swap(
          client, plan.key, plan.expected_revision, label, now);
      break;
  }
  if (plan.kind != OperationKind::kGet) {
    // One sequence number per write, kept by every attempt of it.
    ++session_.seq;
    operation_.identity = session_;
  }
  operation_.plan = std::move(plan);
  attempt();
}

node::ClientRequest SimClient::request() const {
  const PlannedOperation& plan = operation_.plan;
  switch (plan.kind) {
    case OperationKind::kGet:
      return node::GetRequest{plan.key, node::ReadConsistency::kLinearizable, Revision(0)};
    case OperationKind::kPut:
      return node::PutRequest{plan.key, encode_value(plan.token, plan.size),
                              operation_.identity};
    case OperationKind::kDelete:
      return node::DeleteRequest{plan.key, operation_.identity};
    case OperationKind::kCompareAndSwap:
      return node::CompareAndSwapRequest{plan.key, plan.expected_revision,
                                         encode_value(plan.token, plan.size),
                                         operation_.identity};
  }
  return node::GetRequest{};
}

std::string SimClient::describe() const {
  return fmt::format("client {} {} {} (seq {}) attempt {}", index_,
                     operation_kind_name(operation_.plan.kind), operation_.plan.key,
                     operation_.identity.seq, operation_.attempts);
}

void SimClient::attempt() {
  ++operation_.attempts;
  const uint64_t token = ++attempt_token_;
  const NodeId node_id = target_;
  const uint64_t deadline = world_.scheduler.now_ms() + timing_.request_timeout_ms;
  world_.trace.fold(fmt::format("attempt {} -> node {}", describe(), node_id.value()));
  world_.cluster.network().carry(
      endpoint(), node_id.value(), [this, token, node_id, deadline, request = request()] {
        world_.cluster.node(node_id).submit(
            request, deadline, [this, token, node_id](node::ClientResponse response) {
              world_.cluster.network().carry(
                  node_id.value(), endpoint(),
                  [this, token, node_id, response = std::move(response)] {
                    answered(token, node_id, response);
                  });
            });
      });
  world_.scheduler.after(timing_.request_timeout_ms + timing_.answer_grace_ms,
                         [this, token] { lost(token); });
}

void SimClient::answered(uint64_t attempt_token, NodeId from, node::ClientResponse response) {
  // A duplicate, or the answer to an attempt given up on.
  if (!in_operation_ || attempt_token != attempt_token_) return;
  ++attempt_token_;
  const ErrorCode code = response.status.code();
  world_.trace.fold(fmt::format("answer {} from node {}: {} {}", describe(), from.value(),
                                error_code_name(code), response.header.revision.value()));
  if (code == ErrorCode::kOk) {
    finish_ok(response);
    return;
  }
  operation_.last_error = code;
  const bool is_write = operation_.plan.kind != OperationKind::kGet;
  if (is_write && response.indeterminate) operation_.maybe_applied = true;
  // A stored key always has its value, and nothing on the simulated disk
  // corrupts: either answer means the node lost or damaged data.
  if (code == ErrorCode::kCorrupt ||
      (code == ErrorCode::kNotFound && operation_.plan.kind == OperationKind::kGet)) {
    world_.findings.add(RunVerdict::kCorrectness,
                        fmt::format("{} answered by node {} with {}: {}", describe(),
                                    from.value(), error_code_name(code),
                                    response.status.message()));
  }
  switch (code) {
    case ErrorCode::kCasMismatch:
      // The CAS was evaluated and refused: definite, and it observed the
      // key's mod_revision.
      if (operation_.plan.kind == OperationKind::kCompareAndSwap) {
        world_.history.complete_fail(operation_.history_id, world_.scheduler.now_ms(),
                                     ErrorCode::kCasMismatch);
        finish();
        return;
      }
      break;
    case ErrorCode::kInvalidArgument:
      if (response.status.message().find("session") != std::string::npos) {
        // The node does not know this client's session (its first write
        // never applied, or it was evicted): the write was refused in log
        // order, and the client must start a new session. An earlier
        // attempt of it may still be in some log, so it is definite only
        // if there was none.
        session_ = node::WriteIdentity{world_.random.next(), 0};
        world_.trace.note(world_.scheduler.now_ms(),
                          "client {} starts session {:x} after: {}", index_,
                          session_.client_id, response.status.message());
        finish_failed(code, /*definite=*/!operation_.maybe_applied);
        return;
      }
      [[fallthrough]];
    case ErrorCode::kTooLarge:
      if (!operation_.plan.expect_too_large || code != ErrorCode::kTooLarge) {
        world_.findings.add(RunVerdict::kCorrectness,
                            fmt::format("{} refused with {}: {}", describe(),
                                        error_code_name(code), response.status.message()));
      }
      finish_failed(code, /*definite=*/true);
      return;
    case ErrorCode::kNotLeader:
      if (response.leader_hint != NodeId(0) && response.leader_hint != from) {
        target_ = response.leader_hint;
        retry_or_give_up(/*move_to_other_node=*/false);
      } else {
        retry_or_give_up(/*move_to_other_node=*/true);
      }
      return;
    default:
      break;
  }
  if (is_write && response.indeterminate && !operation_.plan.retry_indeterminate) {
    finish_failed(code, /*definite=*/false);
    return;
  }
  retry_or_give_up(/*move_to_other_node=*/code != ErrorCode::kOverloaded);
}

void SimClient::lost(uint64_t attempt_token) {
  if (!in_operation_ || attempt_token != attempt_token_) return;
  ++attempt_token_;
  world_.trace.fold(fmt::format("no answer {}", describe()));
  operation_.last_error = ErrorCode::kTimeout;
  if (operation_.plan.kind == OperationKind::kGet) {
    retry_or_give_up(/*move_to_other_node=*/true);
    return;
  }
  // The request may have arrived and applied; only its answer is missing.
  operation_.maybe_applied = true;
  if (!operation_.plan.retry_indeterminate) {
    finish_failed(ErrorCode::kTimeout, /*definite=*/false);
    return;
  }
  retry_or_give_up(/*move_to_other_node=*/true);
}

NodeId SimClient::other_node(NodeId than) const {
  const std::vector<NodeId> ids = world_.cluster.node_ids();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == than) return ids[(i + 1 + world_.random.below(ids.size() - 1)) % ids.size()];
  }
  return ids.front();
}

void SimClient::retry_or_give_up(bool move_to_other_node) {
  if (move_to_other_node) target_ = other_node(target_);
  const uint64_t backoff = world_.random.between(1, timing_.retry_backoff_ms_max);
  if (world_.scheduler.now_ms() + backoff >= operation_.budget_end_ms) {
    finish_failed(operation_.last_error, /*definite=*/!operation_.maybe_applied);
    return;
  }
  const uint64_t token = attempt_token_;
  world_.scheduler.after(backoff, [this, token] {
    if (in_operation_ && token == attempt_token_) attempt();
  });
}

void SimClient::finish_ok(const node::ClientResponse& response) {
  const uint64_t now = world_.scheduler.now_ms();
  const PlannedOperation& plan = operation_.plan;
  if (plan.expect_too_large) {
    world_.findings.add(RunVerdict::kCorrectness,
                        fmt::format("{}: a {}-byte value over the limit was accepted",
                                    describe(), plan.size));
  }
  if (response.header.revision < last_revision_) {
    world_.findings.add(RunVerdict::kCorrectness,
                        fmt::format("{}: answered at revision {} after this client saw "
                                    "revision {}",
                                    describe(), response.header.revision.value(),
                                    last_revision_.value()));
  }
  last_revision_ = std::max(last_revision_, response.header.revision);
  if (plan.kind == OperationKind::kGet) {
    std::optional<std::string> label;
    Revision mod_revision;
    if (response.kv) {
      label = value_label(response.kv->value);
      if (!label) {
        world_.findings.add(RunVerdict::kCorrectness,
                            fmt::format("{}: read {} bytes that no client wrote", describe(),
                                        response.kv->value.size()));
        label = fmt::format("corrupt#{}", response.kv->value.size());
      }
      mod_revision = response.kv->mod_revision;
      if (workload_) workload_->observed(plan.key, mod_revision);
    }
    world_.history.complete_get_ok(operation_.history_id, now, label, mod_revision);
  } else {
    Revision revision = response.header.revision;
    if (response.kv) {
      revision = response.kv->mod_revision;
      if (workload_) workload_->observed(plan.key, revision);
      world_.ledger.write_succeeded(operation_.identity, plan.key, revision);
    }
    world_.history.complete_write_ok(operation_.history_id, now,
                                     plan.kind == OperationKind::kDelete ? Revision(0)
                                                                         : revision);
  }
  ++ok_;
  finish();
}

void SimClient::finish_failed(ErrorCode error, bool definite) {
  const uint64_t now = world_.scheduler.now_ms();
  // A read has no effect, so a read that got no answer did not happen.
  if (definite || operation_.plan.kind == OperationKind::kGet) {
    world_.history.complete_fail(operation_.history_id, now,
                                 error == ErrorCode::kOk ? ErrorCode::kTimeout : error);
  } else {
    world_.history.complete_info(operation_.history_id, now, error);
  }
  finish();
}

void SimClient::finish() {
  in_operation_ = false;
  ++completed_;
  ++attempt_token_;
  const uint64_t think = world_.random.between(0, timing_.think_ms_max);
  world_.scheduler.after(think, [this] {
    if (!in_operation_) next_operation();
  });
}

}  // namespace quokka::sim
