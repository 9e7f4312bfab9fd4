// The write path (DESIGN.md "Write path"): validate, hash, stage the value,
// propose the pointer change; answered when its entry applies.
#include <fmt/format.h>

#include "common/assert.h"
#include "server/node/node.h"
#include "server/node/node_state.h"
#include "server/node/request_validation.h"

namespace quokka::node {
namespace {

Command to_command(ClientRequest& request) {
  Command command;
  if (auto* put = std::get_if<PutRequest>(&request)) {
    command.type = CommandType::kPut;
    command.id = put->id;
    command.key = std::move(put->key);
    command.value = BlobId::of(put->value);
    command.value_size = put->value.size();
  } else if (auto* cas = std::get_if<CompareAndSwapRequest>(&request)) {
    command.type = CommandType::kCompareAndSwap;
    command.id = cas->id;
    command.key = std::move(cas->key);
    command.value = BlobId::of(cas->value);
    command.value_size = cas->value.size();
    command.expected_mod_revision = cas->expected_mod_revision;
  } else {
    auto& del = std::get<DeleteRequest>(request);
    command.type = CommandType::kDelete;
    command.id = del.id;
    command.key = std::move(del.key);
  }
  return command;
}

// What a write's session check needs, without hashing its value.
struct WriteFields {
  const WriteIdentity& id;
  const std::string& key;
  CommandType type;
};

WriteFields fields_of(const ClientRequest& request) {
  if (const auto* put = std::get_if<PutRequest>(&request)) {
    return {put->id, put->key, CommandType::kPut};
  }
  if (const auto* cas = std::get_if<CompareAndSwapRequest>(&request)) {
    return {cas->id, cas->key, CommandType::kCompareAndSwap};
  }
  const auto& del = std::get<DeleteRequest>(request);
  return {del.id, del.key, CommandType::kDelete};
}

std::string* value_of(ClientRequest& request) {
  if (auto* put = std::get_if<PutRequest>(&request)) return &put->value;
  if (auto* cas = std::get_if<CompareAndSwapRequest>(&request)) return &cas->value;
  return nullptr;
}

}  // namespace

void Node::submit_write(ClientRequest request, uint64_t deadline_ms, ResponseCallback done,
                        WriteOrigin origin) {
  const uint64_t now = env_.monotonic_ms();
  const std::string op(request_name(request));
  auto refuse = [&](Status status) {
    refuse_request(op, std::move(status), done);
  };
  if (Status status = validate_request(request, options_.limits); !status.is_ok()) {
    return refuse(std::move(status));
  }
  if (raft_->role() != consensus::Role::kLeader) {
    // Only a client's own write is passed on, so a forward never loops
    // between two nodes that each think the other leads.
    if (options_.forward_writes && origin == WriteOrigin::kClient &&
        raft_->leader() != NodeId(0) && raft_->leader() != options_.id) {
      return forward_write(std::move(request), deadline_ms, std::move(done));
    }
    return refuse(Status(ErrorCode::kNotLeader,
                         raft_->leader() == NodeId(0)
                             ? std::string("this node is not the leader and knows none")
                             : fmt::format("node {} is the leader", raft_->leader().value())));
  }
  // A retry of a write that already applied gets its recorded answer, even
  // when new writes are refused: a refusal says the write did not happen.
  if (const WriteFields write = fields_of(request);
      state_->sessions.check(write.id.client_id, write.id.seq) == SessionVerdict::kDuplicate) {
    const Session* session = state_->sessions.find(write.id.client_id);
    ClientResponse response =
        write_response(session->last_result, write.type, write.key, header());
    probe_->request_finished(op, response.status.code(), 0);
    done(std::move(response));
    return;
  }
  if (state_->writes.size() >= options_.pending_writes_max) {
    probe_->queue_refused("writes");
    return refuse(Status(ErrorCode::kOverloaded,
                         fmt::format("{} writes are pending; the limit is "
                                     "pending_writes_max = {}",
                                     state_->writes.size(), options_.pending_writes_max)));
  }
  std::string* value = value_of(request);
  // Before the value is hashed: a refusal under a flood of large writes
  // must cost next to nothing.
  const uint64_t value_bytes = value != nullptr ? value->size() : 0;
  if (value_bytes > 0 && state_->write_value_bytes > 0 &&
      state_->write_value_bytes + value_bytes > options_.write_values_bytes_max) {
    probe_->queue_refused("write_values");
    return refuse(Status(ErrorCode::kOverloaded,
                         fmt::format("{} bytes of written values are not applied yet; this "
                                     "write's {} bytes would pass the limit "
                                     "write_values_bytes_max = {}",
                                     state_->write_value_bytes, value_bytes,
                                     options_.write_values_bytes_max)));
  }
  Command command = to_command(request);
  // Held even when the store has it already: then the pushes to the
  // followers take it from memory, where each would read it back from its
  // file and hash it again, and no write pays a lookup here to find out.
  const bool stage = value != nullptr;
  if (stage && state_->proposed_blobs.count(command.value) == 0 &&
      state_->proposed_bytes + value->size() > options_.staged_blob_bytes_max) {
    probe_->queue_refused("proposed_values");
    return refuse(Status(ErrorCode::kOverloaded,
                         fmt::format("{} bytes of values wait to be persisted; the "
                                     "limit is staged_blob_bytes_max = {}",
                                     state_->proposed_bytes, options_.staged_blob_bytes_max)));
  }
  Result<LogPosition> position = raft_->propose({encode_command(command)});
  if (!position.is_ok()) {
    if (position.status().code() == ErrorCode::kOverloaded) probe_->queue_refused("proposals");
    probe_->proposal_failed();
    return refuse(position.status());
  }
  // An older proposal at this index was overwritten before it persisted.
  release_proposed_blob(position->index);
  hold_write_value_bytes(position->index, value_bytes, now);
  if (stage) {
    State::ProposedBlob& held = state_->proposed_blobs[command.value];
    if (held.uses++ == 0) {
      state_->proposed_bytes += value->size();
      held.held_ms = now;
      held.bytes = std::move(*value);
    }
    state_->proposed_by_index[position->index] = State::ProposedAt{command.value, position->term};
  }
  if (options_.faults.acknowledge_before_commit) {
    // Negative control: answer before the write is durable on a majority.
    ClientResponse response;
    response.header = header();
    done(std::move(response));
    return;
  }
  state_->writes[position->index] = PendingWrite{position->term, command.type, command.key,
                                                 std::move(done), deadline_ms, now};
}

void Node::hold_write_value_bytes(LogIndex index, uint64_t bytes, uint64_t now_ms) {
  // A proposal overwritten at this index (a leader change between) gives
  // its share to the new one.
  release_write_value_bytes_at(index);
  if (bytes == 0) return;
  state_->write_value_bytes_by_index[index] = State::WriteValueBytes{bytes, now_ms};
  state_->write_value_bytes += bytes;
}

void Node::release_write_value_bytes_at(LogIndex index) {
  auto it = state_->write_value_bytes_by_index.find(index);
  if (it == state_->write_value_bytes_by_index.end()) return;
  state_->write_value_bytes -= it->second.bytes;
  probe_->queue_waited("write_values", env_.monotonic_ms() - it->second.held_ms);
  state_->write_value_bytes_by_index.erase(it);
}

void Node::release_write_value_bytes_through(LogIndex index) {
  auto& held = state_->write_value_bytes_by_index;
  while (!held.empty() && held.begin()->first <= index) {
    release_write_value_bytes_at(held.begin()->first);
  }
}

}  // namespace quokka::node
