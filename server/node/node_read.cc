// The read path (DESIGN.md "Read path"): linearizable reads wait for a read
// index confirmed by a quorum and for apply to reach it; stale reads answer
// from the applied state, once it has reached the caller's min_revision.
#include <fmt/format.h>

#include "common/assert.h"
#include "server/node/node.h"
#include "server/node/node_state.h"
#include "server/node/request_validation.h"

namespace quokka::node {
namespace {

ReadConsistency consistency_of(const ClientRequest& request) {
  if (const auto* get = std::get_if<GetRequest>(&request)) return get->consistency;
  return std::get<RangeRequest>(request).consistency;
}

Revision min_revision_of(const ClientRequest& request) {
  if (const auto* get = std::get_if<GetRequest>(&request)) return get->min_revision;
  return Revision(0);
}

// The first key after every key with `prefix`; empty when there is none
// (the prefix is all 0xff bytes), which means "no end".
std::string prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    if (static_cast<uint8_t>(prefix.back()) != 0xff) {
      prefix.back() = static_cast<char>(static_cast<uint8_t>(prefix.back()) + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

}  // namespace

void Node::submit_read(ClientRequest request, uint64_t deadline_ms, ResponseCallback done) {
  const uint64_t now = env_.monotonic_ms();
  const std::string_view op = request_name(request);
  auto refuse = [&](Status status) {
    refuse_request(op, std::move(status), done);
  };
  if (Status status = validate_request(request, options_.limits); !status.is_ok()) {
    return refuse(std::move(status));
  }
  if (state_->reads.size() >= options_.pending_reads_max) {
    probe_->queue_refused("reads");
    return refuse(Status(ErrorCode::kOverloaded,
                         fmt::format("{} reads are pending; the limit is pending_reads_max = {}",
                                     state_->reads.size(), options_.pending_reads_max)));
  }
  const uint64_t id = state_->next_read_id++;
  PendingRead read{std::move(request), std::move(done), deadline_ms, now, std::nullopt};
  const bool linearizable = consistency_of(read.request) == ReadConsistency::kLinearizable;
  const bool local = options_.faults.local_linearizable_reads &&
                     raft_->role() == consensus::Role::kLeader;
  if (linearizable && !local) {
    if (Status status = raft_->read_index(read_context_of(id)); !status.is_ok()) {
      if (status.code() == ErrorCode::kOverloaded) probe_->queue_refused("read_index");
      probe_->read_index_failed();
      done = std::move(read.done);
      return refuse(std::move(status));
    }
  } else {
    // Stale (or the negative control): no quorum round.
    read.read_index = LogIndex(0);
  }
  state_->reads.emplace(id, std::move(read));
  serve_reads_up_to_applied();
}

void Node::serve_reads_up_to_applied() {
  const AppliedState applied = storage_.applied_state();
  for (auto it = state_->reads.begin(); it != state_->reads.end();) {
    PendingRead& read = it->second;
    const bool ready = read.read_index.has_value() && *read.read_index <= applied.index &&
                       min_revision_of(read.request) <= applied.revision;
    if (!ready) {
      ++it;
      continue;
    }
    PendingRead serving = std::move(read);
    it = state_->reads.erase(it);
    probe_->queue_waited("reads", env_.monotonic_ms() - serving.start_ms);
    serve_read(serving);
  }
}

void Node::serve_read(PendingRead& read) {
  ClientResponse response;
  response.header = header();
  auto fail = [&](Status status) {
    response = ClientResponse{};
    response.status = std::move(status);
    response.header = header();
  };
  if (const auto* get = std::get_if<GetRequest>(&read.request)) {
    Result<std::optional<PointerRecord>> pointer = storage_.get_pointer(get->key);
    if (!pointer.is_ok()) {
      fail(pointer.status());
    } else if (pointer->has_value()) {
      const PointerRecord& record = **pointer;
      Result<std::string> value = storage_.get_blob(record.value_hash);
      if (!value.is_ok()) {
        fail(value.status());
      } else {
        response.kv = KeyValue{get->key, std::move(value).value(), record.create_revision,
                               record.mod_revision, record.version};
      }
    }
  } else {
    const auto& range = std::get<RangeRequest>(read.request);
    const std::string end = range.prefix ? prefix_end(range.start) : range.end;
    const uint64_t limit = range.limit == 0 ? options_.limits.range_keys_max
                                            : std::min(range.limit, options_.limits.range_keys_max);
    const std::string& from =
        range.continuation > range.start ? range.continuation : range.start;
    Result<PointerPage> page = storage_.range_pointers(from, end, limit);
    if (!page.is_ok()) {
      fail(page.status());
    } else {
      uint64_t bytes = 0;
      response.more = page->more;
      for (const KeyPointer& pointer : page->pointers) {
        // The page stops at range_bytes_max (always at least one key).
        if (!response.kvs.empty() &&
            bytes + pointer.key.size() + pointer.record.value_size > options_.limits.range_bytes_max) {
          response.more = true;
          break;
        }
        Result<std::string> value = storage_.get_blob(pointer.record.value_hash);
        if (!value.is_ok()) {
          fail(value.status());
          break;
        }
        bytes += pointer.key.size() + value->size();
        response.kvs.push_back(KeyValue{pointer.key, std::move(value).value(),
                                        pointer.record.create_revision,
                                        pointer.record.mod_revision, pointer.record.version});
      }
    }
  }
  // A linearizable read a follower served cost it a round trip to the
  // leader for the read index; the answer names the leader, so the client
  // sends the next ones there (stale reads stay: any node serves them).
  if (response.status.is_ok() &&
      consistency_of(read.request) == ReadConsistency::kLinearizable &&
      raft_->role() != consensus::Role::kLeader) {
    response.leader_hint = raft_->leader();
  }
  probe_->request_finished(request_name(read.request), response.status.code(),
                           env_.monotonic_ms() - read.start_ms);
  read.done(std::move(response));
}

}  // namespace quokka::node
