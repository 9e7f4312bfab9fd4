// Acting on the consensus core's Readies, in the order ready.h prescribes:
// send the free messages at once, persist (entries with their values, in
// one batch), then send the acknowledgements and apply, then advance.
#include <fmt/format.h>

#include "common/assert.h"
#include "server/node/node.h"
#include "server/node/node_state.h"
#include "server/node/snapshot_codec.h"

namespace quokka::node {

void Node::request_drain() {
  if (state_->drain_requested) return;
  state_->drain_requested = true;
  // The state outlives the closure in both Envs: quokkad drops pending work
  // with its event loop, the simulator with the process incarnation.
  env_.defer([this] {
    state_->drain_requested = false;
    drain();
  });
}

void Node::drain() {
  // Bounded: each pass either hands out a Ready or finishes one, and the
  // core produces a new Ready only in answer to progress.
  for (int pass = 0; pass < 1000 && !state_->stopped; ++pass) {
    const size_t finished_before = state_->readies.size();
    finish_readies();
    const bool finished = state_->readies.size() != finished_before;
    if (!raft_->has_ready()) {
      if (finished) continue;
      return;
    }
    ReadyInFlight flight;
    flight.sequence = state_->next_ready_sequence++;
    flight.ready = raft_->ready();
    consensus::Ready& ready = flight.ready;
    if (ready.soft_state && ready.soft_state->leader != state_->known_leader) {
      state_->known_leader = ready.soft_state->leader;
      probe_->leader_changed();
      known_leader_changed(state_->known_leader);
    }
    if (ready.soft_state && ready.soft_state->role != consensus::Role::kLeader) {
      // The budget admits writes on a leader; what a deposed leader
      // admitted may never apply at its index (the next leader's log can
      // be shorter), so it must not keep the budget spent.
      release_write_value_bytes_through(LogIndex(UINT64_MAX));
    }
    for (consensus::Message& message : ready.messages) send_raft(std::move(message));
    ready.messages.clear();

    WriteBatch batch;
    const uint64_t now_ms = env_.wall_ms();
    std::set<BlobId> written;
    if (ready.snapshot) {
      Result<StateSnapshot> state = decode_state_snapshot(ready.snapshot->data);
      QUOKKA_ASSERT(state.is_ok(), "an accepted snapshot is unreadable: {}",
                    state.status().to_string());
      for (const BlobId& id : state->blobs) {
        if (has_stored_blob(id) || written.count(id) != 0) continue;
        std::optional<std::string> bytes = find_blob(id);
        QUOKKA_ASSERT(bytes.has_value(), "snapshot {} installs without value {}",
                      ready.snapshot->metadata.last.index.value(), id.short_hex());
        batch.put_hashed_blob(id, std::move(*bytes), now_ms);
        written.insert(id);
      }
      batch.restore_snapshot(std::move(state).value(), now_ms);
      // The log now starts at the snapshot; so does its membership.
      batch.put_node_record(std::string(record_name::kLogStartConf),
                            encode_conf_state(ready.snapshot->metadata.conf_state));
    }
    for (const LogEntry& entry : ready.entries) {
      if (entry.type != EntryType::kNormal || entry.data.empty()) continue;
      Result<Command> command = decode_command(entry.data);
      QUOKKA_ASSERT(command.is_ok(), "entry {} is unreadable: {}", entry.index.value(),
                    command.status().to_string());
      if (!command->references_value() || written.count(command->value) != 0) continue;
      // A value held in memory goes into the batch without asking the store
      // whether it has it: the batch's own check (its reference record)
      // skips one already stored, and a second lookup per entry was a
      // tenth of the node's CPU under many small writes.
      const std::string* held = held_blob(command->value);
      if (held == nullptr && has_stored_blob(command->value)) continue;
      std::optional<std::string> bytes =
          held != nullptr ? std::optional<std::string>(*held) : find_blob(command->value);
      if (!bytes && options_.faults.skip_blob_before_entry) continue;
      // Invariant (DESIGN.md "Write path" 4): an entry is persisted only
      // with every value it references.
      QUOKKA_ASSERT(bytes.has_value(), "entry {} would be persisted without its value {}",
                    entry.index.value(), command->value.short_hex());
      batch.put_hashed_blob(command->value, std::move(*bytes), now_ms);
      written.insert(command->value);
    }
    if (!ready.entries.empty()) batch.append_log_entries(ready.entries);
    if (ready.hard_state) batch.set_hard_state(*ready.hard_state);
    flight.staged_written.assign(written.begin(), written.end());

    // Raft needs entries, a snapshot, and a new term or vote on the disk
    // before the messages that speak of them. A commit index alone may be
    // lost by a crash (the leader tells it again, and the applied state
    // never runs ahead of it: a crash loses a suffix of the writes), so it
    // rides unsynced, as etcd's does; a sync per commit advance would double
    // the syncs of every write.
    const bool term_or_vote_changed =
        ready.hard_state && (ready.hard_state->term != state_->last_hard_state.term ||
                             ready.hard_state->vote != state_->last_hard_state.vote);
    if (ready.hard_state) state_->last_hard_state = *ready.hard_state;
    flight.sync = ready.snapshot || !ready.entries.empty() || term_or_vote_changed
                      ? Sync::kYes
                      : Sync::kNo;
    const bool must_persist = !batch.empty();
    flight.persisted = !must_persist;
    if (must_persist && flight.sync == Sync::kNo && !ready.snapshot && state_->readies.empty()) {
      // Only the commit index moved, and no earlier Ready is still on its
      // way to the disk: written here, as the apply's batches are, instead
      // of through the storage thread, whose queue and hop back would sit
      // between the commit and the apply of every write. Order holds:
      // everything before it is written, everything after goes to
      // persist once this returns.
      Status status = storage_.commit(batch, Sync::kNo);
      if (!status.is_ok()) {
        state_->stopped = true;
        return;
      }
      flight.persisted = true;
    } else if (must_persist) {
      flight.deferred = std::move(batch);
    }
    state_->readies.push_back(std::move(flight));
    submit_deferred_batches();
  }
}

void Node::submit_deferred_batches() {
  // Batches reach the disk in Ready order. A snapshot restore replaces the
  // applied state, so it is written only once every earlier Ready has been
  // applied; later batches queue behind it.
  for (size_t i = 0; i < state_->readies.size(); ++i) {
    ReadyInFlight& flight = state_->readies[i];
    if (!flight.deferred) continue;
    if (flight.ready.snapshot && i != 0) return;
    const uint64_t sequence = flight.sequence;
    WriteBatch batch = std::move(*flight.deferred);
    flight.deferred.reset();
    env_.persist(std::move(batch), flight.sync,
                 [this, sequence](Status status) { persisted(sequence, std::move(status)); });
  }
}

void Node::persisted(uint64_t sequence, Status status) {
  if (state_->stopped) return;
  if (!status.is_ok()) {
    // A failed sync cannot be retried safely (the kernel may have dropped
    // the dirty pages): stop answering, as etcd does on a WAL error.
    state_->stopped = true;
    return;
  }
  for (ReadyInFlight& flight : state_->readies) {
    if (flight.sequence == sequence) flight.persisted = true;
  }
  drain();
}

void Node::finish_readies() {
  while (!state_->readies.empty() && state_->readies.front().persisted) {
    ReadyInFlight flight = std::move(state_->readies.front());
    state_->readies.pop_front();
    consensus::Ready& ready = flight.ready;
    for (const BlobId& id : flight.staged_written) {
      auto staged = state_->staged_blobs.find(id);
      if (staged != state_->staged_blobs.end()) {
        state_->staged_bytes -= staged->second.bytes.size();
        probe_->queue_waited("staged_values", env_.monotonic_ms() - staged->second.staged_ms);
        state_->staged_blobs.erase(staged);
      }
    }
    // Values proposed here stay in memory past their persisting until their
    // entry applies (node_apply.cc): appends to followers and their
    // requests for values are served from memory, not read back from the
    // store and hashed again. write_values_bytes_max bounds them. A
    // proposal that another leader's entry overwrote goes once that entry
    // is on the disk, and one persisted after this node stopped leading
    // goes at once (nobody asks a follower for them). What a deposed
    // leader persisted while leading goes when its index applies or is
    // overwritten.
    const bool leads = raft_->role() == consensus::Role::kLeader;
    for (const LogEntry& entry : ready.entries) {
      auto proposed = state_->proposed_by_index.find(entry.index);
      if (proposed == state_->proposed_by_index.end()) continue;
      // A proposal of a later term there still waits for its own Ready.
      if (proposed->second.term > entry.term) continue;
      if (proposed->second.term == entry.term && leads) continue;
      release_proposed_blob(entry.index);
    }
    if (ready.snapshot) {
      Result<std::vector<KvPair>> sessions = storage_.node_records(
          SessionTable::kRecordPrefix, 2 * options_.sessions_max + 1);
      QUOKKA_ASSERT(sessions.is_ok(), "{}", sessions.status().to_string());
      Status loaded = state_->sessions.load(*sessions);
      QUOKKA_ASSERT(loaded.is_ok(), "{}", loaded.to_string());
      state_->applied_conf = ready.snapshot->metadata.conf_state;
      state_->last_compaction = ready.snapshot->metadata.last.index;
      probe_->snapshot_installed();
      // Writes proposed here at or below the snapshot may or may not be in
      // it; their outcome is unknown to this node.
      fail_pending_writes_before(LogIndex(ready.snapshot->metadata.last.index.value() + 1));
    }
    for (consensus::Message& message : ready.messages_after_persist) {
      send_raft(std::move(message));
    }
    apply(ready.committed_entries);
    for (const consensus::ReadState& read : ready.read_states) {
      auto it = state_->reads.find(read_id_of(read.context));
      if (it == state_->reads.end()) continue;
      it->second.read_index = read.index;
      probe_->queue_waited("read_index", env_.monotonic_ms() - it->second.start_ms);
    }
    for (const std::string& context : ready.dropped_reads) {
      auto it = state_->reads.find(read_id_of(context));
      if (it == state_->reads.end()) continue;
      ClientResponse response;
      probe_->read_index_failed();
      probe_->queue_waited("read_index", env_.monotonic_ms() - it->second.start_ms);
      probe_->queue_waited("reads", env_.monotonic_ms() - it->second.start_ms);
      response.status = Status(ErrorCode::kNotLeader,
                               "leadership changed before the read was confirmed");
      response.leader_hint = raft_->leader();
      response.header = header();
      probe_->request_finished(request_name(it->second.request), ErrorCode::kNotLeader,
                               env_.monotonic_ms() - it->second.start_ms);
      ResponseCallback done = std::move(it->second.done);
      state_->reads.erase(it);
      done(std::move(response));
    }
    raft_->advance(ready);
    serve_reads_up_to_applied();
  }
  submit_deferred_batches();
}

void Node::send_raft(consensus::Message message) {
  RaftPeerMessage peer;
  const NodeId to = message.to;
  if (message.type == consensus::MessageType::kAppend && !message.entries.empty()) {
    State::ValuesPushed& pushed = state_->values_pushed[to];
    if (pushed.term != message.term) pushed = State::ValuesPushed{.term = message.term, .spans = {}};
    std::set<BlobId> attached;
    BlobPush ahead;
    for (const LogEntry& entry : message.entries) {
      if (entry.type != EntryType::kNormal || entry.data.empty()) continue;
      Result<Command> command = decode_command(entry.data);
      if (!command.is_ok() || !command->references_value()) continue;
      if (attached.count(command->value) != 0) continue;
      if (pushed.covers(entry.index)) {
        // Its value went with an earlier send of this entry: a small one
        // rides again while it is in memory, a large one does not.
        const std::string* held = held_blob(command->value);
        if (held == nullptr || held->size() > options_.limits.inline_value_bytes_max) continue;
        peer.blobs.push_back(InlineBlob{command->value, *held});
        attached.insert(command->value);
        continue;
      }
      std::optional<std::string> bytes = find_blob(command->value);
      if (!bytes) continue;  // the follower will ask for it
      attached.insert(command->value);
      if (bytes->size() <= options_.limits.inline_value_bytes_max) {
        peer.blobs.push_back(InlineBlob{command->value, std::move(*bytes)});
      } else {
        // Large values go ahead of the append, on their own.
        probe_->value_pushed(to, message.term, entry.index, bytes->size());
        ahead.blobs.push_back(InlineBlob{command->value, std::move(*bytes)});
        env_.send(to, PeerMessage(std::move(ahead)));
        ahead.blobs.clear();
      }
    }
    pushed.add(message.entries.front().index, message.entries.back().index);
  }
  if (message.type == consensus::MessageType::kSnapshot) probe_->snapshot_sent();
  peer.raft = std::move(message);
  env_.send(to, PeerMessage(std::move(peer)));
}

}  // namespace quokka::node
