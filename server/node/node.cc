#include "server/node/node.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/assert.h"
#include "server/node/node_state.h"
#include "server/node/snapshot_codec.h"

namespace quokka::node {
namespace {

Status bootstrap(const NodeOptions& options, Storage& storage) {
  if (options.initial_members.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "a new cluster needs its initial members; none were given");
  }
  consensus::ConfState conf;
  conf.voters = options.initial_members;
  std::sort(conf.voters.begin(), conf.voters.end());
  if (!conf.is_voter(options.id)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("node {} is not among the initial members", options.id.value()));
  }
  WriteBatch batch;
  batch.put_node_record(std::string(record_name::kLogStartConf), encode_conf_state(conf));
  batch.put_node_record(std::string(record_name::kAppliedConf), encode_conf_state(conf));
  return storage.commit(batch, Sync::kYes);
}

}  // namespace

Result<std::unique_ptr<Node>> Node::open(const NodeOptions& options, Env& env,
                                         Storage& storage, NodeProbe* probe) {
  Result<std::optional<std::string>> start_conf =
      storage.get_node_record(record_name::kLogStartConf);
  if (!start_conf.is_ok()) return start_conf.status();
  if (!start_conf->has_value()) {
    if (storage.last_index() != LogIndex(0)) {
      return Status(ErrorCode::kCorrupt,
                    "the store has a log but no membership record");
    }
    if (Status status = bootstrap(options, storage); !status.is_ok()) return status;
  }
  std::unique_ptr<Node> node(new Node(options, env, storage, probe));
  Result<std::vector<KvPair>> sessions =
      storage.node_records(SessionTable::kRecordPrefix, 2 * options.sessions_max + 1);
  if (!sessions.is_ok()) return sessions.status();
  if (Status status = node->state_->sessions.load(*sessions); !status.is_ok()) return status;
  Result<std::optional<std::string>> applied_conf =
      storage.get_node_record(record_name::kAppliedConf);
  if (!applied_conf.is_ok()) return applied_conf.status();
  if (applied_conf->has_value()) {
    Result<consensus::ConfState> conf = decode_conf_state(**applied_conf);
    if (!conf.is_ok()) return conf.status();
    node->state_->applied_conf = *conf;
  }
  node->state_->last_compaction = LogIndex(storage.first_index().value() - 1);
  return node;
}

Node::Node(const NodeOptions& options, Env& env, Storage& storage, NodeProbe* probe)
    : options_(options),
      env_(env),
      storage_(storage),
      probe_(probe),
      log_storage_(std::make_unique<StorageLog>(storage)),
      state_(std::make_unique<State>(options.sessions_max)) {
  if (probe_ == nullptr) {
    static NodeProbe silent;
    probe_ = &silent;
  }
  consensus::RaftOptions raft = options.raft;
  raft.id = options.id;
  raft.applied = storage.applied_state().index;
  raft_ = std::make_unique<consensus::Raft>(raft, *log_storage_);
}

Node::~Node() = default;

ResponseHeader Node::header() const {
  return ResponseHeader{storage_.applied_state().revision, raft_->term(), options_.id};
}

NodeStatus Node::status() const {
  NodeStatus status;
  status.id = options_.id;
  status.role = raft_->role();
  status.leader = raft_->leader();
  status.term = raft_->term();
  status.commit = raft_->committed();
  status.applied = storage_.applied_state().index;
  status.revision = storage_.applied_state().revision;
  status.lamport_time = raft_->lamport_time();
  status.pending_writes = state_->writes.size();
  status.pending_reads = state_->reads.size();
  status.pending_forwards = state_->forwards.size();
  return status;
}

std::vector<NodeQueue> Node::queues() const {
  return {
      {"writes", state_->writes.size(), options_.pending_writes_max},
      {"reads", state_->reads.size(), options_.pending_reads_max},
      {"proposals", raft_->uncommitted_bytes(), options_.raft.uncommitted_bytes_max},
      {"read_index", raft_->pending_read_indexes(), options_.raft.pending_reads_max},
      {"staged_values", state_->staged_bytes, options_.staged_blob_bytes_max},
      {"proposed_values", state_->proposed_bytes, options_.staged_blob_bytes_max},
      {"write_values", state_->write_value_bytes, options_.write_values_bytes_max},
  };
}

void Node::hand_over_leadership() {
  if (raft_->role() != consensus::Role::kLeader) return;
  NodeId best;
  LogIndex best_match;
  for (NodeId voter : raft_->conf_state().voters) {
    if (voter == options_.id) continue;
    const consensus::Progress* progress = raft_->progress(voter);
    if (progress != nullptr && (best == NodeId(0) || progress->match > best_match)) {
      best = voter;
      best_match = progress->match;
    }
  }
  if (best == NodeId(0)) return;
  (void)raft_->transfer_leadership(best);
  drain();
}

void Node::tick() {
  if (state_->stopped) return;
  ++state_->ticks;
  raft_->tick();
  expire_requests();
  // Drain first: collection must see every entry the core holds, and it
  // sees them once they are in a Ready.
  drain();
  if (options_.blob_collect_interval_ticks > 0 &&
      state_->ticks % options_.blob_collect_interval_ticks == 0) {
    collect_blobs();
  }
}

void Node::submit(ClientRequest request, uint64_t deadline_ms, ResponseCallback done) {
  if (state_->stopped) {
    ClientResponse response;
    response.status = Status(ErrorCode::kShuttingDown, "the node stopped after a disk failure");
    response.header = header();
    done(std::move(response));
    return;
  }
  if (is_write(request)) {
    submit_write(std::move(request), deadline_ms, std::move(done), WriteOrigin::kClient);
  } else {
    submit_read(std::move(request), deadline_ms, std::move(done));
  }
  request_drain();
}

void Node::refuse_request(std::string_view op, Status status, const ResponseCallback& done) {
  ClientResponse response;
  response.status = std::move(status);
  response.header = header();
  if (response.status.code() == ErrorCode::kNotLeader) response.leader_hint = raft_->leader();
  probe_->request_finished(op, response.status.code(), 0);
  done(std::move(response));
}

void Node::expire_requests() {
  const uint64_t now = env_.monotonic_ms();
  expire_forwards(now);
  for (auto it = state_->writes.begin(); it != state_->writes.end();) {
    if (it->second.deadline_ms > now) {
      ++it;
      continue;
    }
    ClientResponse response;
    response.status = Status(ErrorCode::kTimeout,
                             fmt::format("the write proposed at index {} did not apply "
                                         "before its deadline; it may still apply",
                                         it->first.value()));
    response.indeterminate = true;
    response.header = header();
    probe_->queue_waited("writes", now - it->second.start_ms);
    probe_->request_finished(op_name(it->second.type), ErrorCode::kTimeout,
                             now - it->second.start_ms);
    ResponseCallback done = std::move(it->second.done);
    // The value stays held: the entry may still be on its way to the disk,
    // and its Ready releases it.
    it = state_->writes.erase(it);
    done(std::move(response));
  }
  for (auto it = state_->reads.begin(); it != state_->reads.end();) {
    if (it->second.deadline_ms > now) {
      ++it;
      continue;
    }
    ClientResponse response;
    response.status = Status(ErrorCode::kTimeout, "the read did not complete before its deadline");
    response.header = header();
    probe_->queue_waited("reads", now - it->second.start_ms);
    if (!it->second.read_index) {
      // Still waiting for its round: the read index never came.
      probe_->read_index_failed();
      probe_->queue_waited("read_index", now - it->second.start_ms);
    }
    probe_->request_finished(request_name(it->second.request), ErrorCode::kTimeout,
                             now - it->second.start_ms);
    ResponseCallback done = std::move(it->second.done);
    it = state_->reads.erase(it);
    done(std::move(response));
  }
}

Result<StateHash> Node::state_hash() const {
  Result<StateSnapshot> snapshot = storage_.create_snapshot();
  if (!snapshot.is_ok()) return snapshot.status();
  // Records local to this node (where its log starts) are not replicated.
  std::erase_if(snapshot->node_records, [](const KvPair& record) {
    return record.key.starts_with(record_name::kLocalPrefix);
  });
  return StateHash{snapshot->applied.index, snapshot->applied.revision,
                   BlobId::of(encode_state_snapshot(*snapshot))};
}

}  // namespace quokka::node
