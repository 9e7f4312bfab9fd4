// Applying committed entries in log order (DESIGN.md "Write path" 6): the
// pointer table, value reference counts and sessions change together, on
// every node alike. The entries of one Ready share a write batch (up to
// kApplyBatchEntriesMax), so a burst of writes costs one RocksDB write, not
// one each; the answers go out once the batch is in.
#include <fmt/format.h>

#include "common/assert.h"
#include "server/node/node.h"
#include "server/node/node_state.h"
#include "server/node/snapshot_codec.h"

namespace quokka::node {
namespace {

// Entries applied in one write batch: bounds the batch and the answers held
// back until it is written.
constexpr size_t kApplyBatchEntriesMax = 512;

// Applies a Put or a CompareAndSwap that passed its check.
WriteResult write_pointer(const Command& command, const std::optional<PointerRecord>& current,
                          Revision revision, uint64_t now_ms, WriteBatch& batch,
                          bool value_stored) {
  PointerRecord record;
  record.value_hash = command.value;
  record.value_size = command.value_size;
  record.create_revision = current ? current->create_revision : revision;
  record.mod_revision = revision;
  record.version = current ? current->version + 1 : 1;
  // The pointer counts the reference to its value (and drops the one to
  // the value it replaces). Without the value, under the fault that skips
  // it, the pointer is not written at all: the acknowledged write is lost,
  // which the simulator's checker must catch.
  if (value_stored) batch.put_pointer(command.key, record, now_ms);
  WriteResult result;
  result.revision = revision;
  result.record = record;
  return result;
}

Status session_error(SessionVerdict verdict, const WriteIdentity& id, uint64_t last_seq) {
  switch (verdict) {
    case SessionVerdict::kUnknownSession:
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("client {:016x} has no session (a new client starts at "
                                "seq 1); seq {} was not applied",
                                id.client_id, id.seq));
    case SessionVerdict::kExpiredSession:
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("the session of client {:016x} expired (evicted for a "
                                "newer one); use a new client id. seq {} was not applied",
                                id.client_id, id.seq));
    case SessionVerdict::kSuperseded:
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("client {:016x} seq {} is older than its last applied "
                                "write {}; its result is no longer kept",
                                id.client_id, id.seq, last_seq));
    case SessionVerdict::kApply:
    case SessionVerdict::kDuplicate:
      break;
  }
  return Status::ok();
}

}  // namespace

ClientResponse write_response(const WriteResult& result, CommandType type,
                              const std::string& key, ResponseHeader header) {
  ClientResponse response;
  response.header = header;
  if (result.code != ErrorCode::kOk) {
    if (result.code == ErrorCode::kCasMismatch) {
      response.status = Status(ErrorCode::kCasMismatch,
                               fmt::format("key's mod_revision is {}, not the expected one",
                                           result.current_mod_revision.value()));
      response.current_mod_revision = result.current_mod_revision;
    } else {
      response.status = Status(result.code, "the write was refused");
    }
    return response;
  }
  response.header.revision = result.revision;
  if (type == CommandType::kDelete) {
    response.deleted = result.deleted;
  } else {
    response.kv = KeyValue{key, {}, result.record.create_revision,
                           result.record.mod_revision, result.record.version};
  }
  return response;
}

Node::AppliedEntry Node::apply_entry(const LogEntry& entry, uint64_t now_ms,
                                     AppliedState& applied, PointerOverlay& written,
                                     WriteBatch& batch) {
  QUOKKA_ASSERT(entry.index.value() == applied.index.value() + 1, "entry {} applies after {}",
                entry.index.value(), applied.index.value());
  AppliedEntry outcome;
  if (entry.type == EntryType::kConfChange) {
    Result<consensus::ConfChange> change = consensus::decode_conf_change(entry.data);
    QUOKKA_ASSERT(change.is_ok(), "{}", change.status().to_string());
    Result<consensus::ConfState> next = consensus::apply_conf_change(state_->applied_conf, *change);
    QUOKKA_ASSERT(next.is_ok(), "{}", next.status().to_string());
    state_->applied_conf = *next;
    batch.put_node_record(std::string(record_name::kAppliedConf),
                          encode_conf_state(state_->applied_conf));
  } else if (!entry.data.empty()) {
    Result<Command> decoded = decode_command(entry.data);
    QUOKKA_ASSERT(decoded.is_ok(), "entry {}: {}", entry.index.value(),
                  decoded.status().to_string());
    outcome.command = std::move(decoded).value();
    const Command& command = *outcome.command;
    std::optional<WriteResult>& result = outcome.result;
    const SessionVerdict verdict = state_->sessions.check(command.id.client_id, command.id.seq);
    if (verdict == SessionVerdict::kDuplicate) {
      result = state_->sessions.find(command.id.client_id)->last_result;
    } else if (verdict != SessionVerdict::kApply) {
      const Session* session = state_->sessions.find(command.id.client_id);
      outcome.refused = session_error(verdict, command.id, session ? session->last_seq : 0);
    } else {
      std::optional<PointerRecord> current;
      if (auto seen = written.find(command.key); seen != written.end()) {
        current = seen->second;
      } else {
        Result<std::optional<PointerRecord>> stored = storage_.get_pointer(command.key);
        QUOKKA_ASSERT(stored.is_ok(), "{}", stored.status().to_string());
        current = std::move(stored).value();
      }
      const Revision next(applied.revision.value() + 1);
      // Every value is persisted before its entry (DESIGN.md "Write path"
      // 4), so only the fault that breaks that rule needs the lookup; were
      // the rule broken otherwise, the pointer put below would fail the
      // apply's commit, naming the value.
      const bool stored = command.references_value() &&
                          (!options_.faults.skip_blob_before_entry ||
                           has_stored_blob(command.value));
      switch (command.type) {
        case CommandType::kPut:
          result = write_pointer(command, current, next, now_ms, batch, stored);
          break;
        case CommandType::kCompareAndSwap: {
          const Revision actual = current ? current->mod_revision : Revision(0);
          if (actual != command.expected_mod_revision) {
            result = WriteResult{};
            result->code = ErrorCode::kCasMismatch;
            result->current_mod_revision = actual;
          } else {
            result = write_pointer(command, current, next, now_ms, batch, stored);
          }
          break;
        }
        case CommandType::kDelete:
          result = WriteResult{};
          if (current) {
            batch.delete_pointer(command.key, now_ms);
            result->revision = next;
            result->deleted = true;
          } else {
            result->revision = applied.revision;
          }
          break;
      }
      if (result->code == ErrorCode::kOk && result->revision == next) {
        applied.revision = next;
        if (command.type == CommandType::kDelete) {
          written[command.key] = std::nullopt;
        } else {
          written[command.key] = result->record;
        }
      }
      state_->sessions.record(command.id.client_id, command.id.seq, *result, entry.index, batch);
    }
  }
  applied.index = entry.index;
  applied.term = entry.term;
  return outcome;
}

void Node::answer_applied(const LogEntry& entry, AppliedEntry& outcome) {
  auto pending = state_->writes.find(entry.index);
  if (pending != state_->writes.end()) {
    PendingWrite write = std::move(pending->second);
    state_->writes.erase(pending);
    const uint64_t waited_ms = env_.monotonic_ms() - write.start_ms;
    probe_->queue_waited("writes", waited_ms);
    ClientResponse response;
    if (write.term != entry.term) {
      probe_->proposal_failed();
      response.status = Status(ErrorCode::kNotLeader,
                               "the write was lost to a leader change; it did not apply");
      response.leader_hint = raft_->leader();
      response.header = header();
    } else if (!outcome.refused.is_ok()) {
      // Committed; the apply refused it (the session's verdict).
      probe_->proposal_committed();
      probe_->queue_waited("proposals", waited_ms);
      response.status = outcome.refused;
      response.header = header();
    } else {
      probe_->proposal_committed();
      probe_->queue_waited("proposals", waited_ms);
      response = write_response(*outcome.result, outcome.command->type, outcome.command->key,
                                header());
    }
    probe_->request_finished(op_name(write.type), response.status.code(), waited_ms);
    write.done(std::move(response));
  }
  // Whatever entry applied here, no proposal at this index is needed any
  // more.
  release_proposed_blob(entry.index);
  release_write_value_bytes_through(entry.index);
}

void Node::apply(const std::vector<LogEntry>& entries) {
  const uint64_t now_ms = env_.wall_ms();
  // Bounded: each turn applies up to kApplyBatchEntriesMax entries.
  for (size_t first = 0; first < entries.size(); first += kApplyBatchEntriesMax) {
    const size_t last = std::min(entries.size(), first + kApplyBatchEntriesMax);
    AppliedState applied = storage_.applied_state();
    WriteBatch batch;
    // Pointers written earlier in this batch: later entries must see them.
    PointerOverlay written;
    std::vector<AppliedEntry> outcomes;
    outcomes.reserve(last - first);
    for (size_t i = first; i < last; ++i) {
      outcomes.push_back(apply_entry(entries[i], now_ms, applied, written, batch));
    }
    batch.set_applied_state(applied);
    // Not synced: the log holds the entries durably, so a crash that loses
    // this write replays them after restart.
    Status status = storage_.commit(batch, Sync::kNo);
    QUOKKA_ASSERT(status.is_ok(), "applying entries {}..{} failed: {}",
                  entries[first].index.value(), entries[last - 1].index.value(),
                  status.to_string());
    for (size_t i = first; i < last; ++i) answer_applied(entries[i], outcomes[i - first]);
  }
  if (!entries.empty()) probe_->entries_applied(entries.size());
  serve_reads_up_to_applied();

  // Compaction: the log before the applied index is folded into the state;
  // lagging followers then get a snapshot.
  const LogIndex applied = storage_.applied_state().index;
  if (options_.snapshot_interval_entries > 0 &&
      applied.value() >= state_->last_compaction.value() + options_.snapshot_interval_entries) {
    WriteBatch batch;
    batch.compact_log_through(applied);
    batch.put_node_record(std::string(record_name::kLogStartConf),
                          encode_conf_state(state_->applied_conf));
    Status status = storage_.commit(batch, Sync::kNo);
    QUOKKA_ASSERT(status.is_ok(), "compacting the log through {} failed: {}",
                  applied.value(), status.to_string());
    state_->last_compaction = applied;
  }
}

void Node::fail_pending_writes_before(LogIndex index) {
  release_write_value_bytes_through(LogIndex(index.value() - 1));
  // The snapshot replaced the log there: no entry below it applies here,
  // so no apply will release what was proposed at those indexes.
  while (!state_->proposed_by_index.empty() &&
         state_->proposed_by_index.begin()->first < index) {
    release_proposed_blob(state_->proposed_by_index.begin()->first);
  }
  while (!state_->writes.empty() && state_->writes.begin()->first < index) {
    PendingWrite write = std::move(state_->writes.begin()->second);
    state_->writes.erase(state_->writes.begin());
    ClientResponse response;
    response.status = Status(ErrorCode::kTimeout,
                             "a snapshot replaced the log here; the write may have applied");
    response.indeterminate = true;
    response.header = header();
    probe_->queue_waited("writes", env_.monotonic_ms() - write.start_ms);
    probe_->request_finished(op_name(write.type), ErrorCode::kTimeout,
                             env_.monotonic_ms() - write.start_ms);
    write.done(std::move(response));
  }
}

}  // namespace quokka::node
