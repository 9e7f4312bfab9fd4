// Values between nodes: staged in memory until the entries that need them
// are persisted, sent inline or ahead of appends, fetched on demand, and
// collected after their grace period once nothing references them.
#include <algorithm>

#include <fmt/format.h>

#include "common/assert.h"
#include "server/node/node.h"
#include "server/node/node_state.h"
#include "server/node/snapshot_codec.h"

namespace quokka::node {
namespace {

// Values sent in one BlobPush, so no message approaches the frame limit.
constexpr uint64_t kPushBytesMax = 4 * 1024 * 1024;
// Values whose request is remembered; past it the requests old enough to
// repeat are forgotten (all of them if none is), so some values may be
// asked for again sooner.
constexpr size_t kBlobRequestsTrackedMax = 4096;

// SHA-256 (with the CPU's SHA extensions) of a value this small costs less
// than a point lookup in the store's memtables.
constexpr size_t kHashCheaperThanLookupBytes = 4096;

}  // namespace

const std::string* Node::held_blob(const BlobId& id) const {
  if (auto proposed = state_->proposed_blobs.find(id); proposed != state_->proposed_blobs.end()) {
    return &proposed->second.bytes;
  }
  if (auto staged = state_->staged_blobs.find(id); staged != state_->staged_blobs.end()) {
    return &staged->second.bytes;
  }
  return nullptr;
}

std::optional<std::string> Node::find_blob(const BlobId& id) const {
  if (const std::string* held = held_blob(id)) return *held;
  Result<std::string> stored = storage_.get_blob(id);
  if (stored.is_ok()) return std::move(stored).value();
  return std::nullopt;
}

bool Node::has_stored_blob(const BlobId& id) const {
  Result<bool> held = storage_.has_blob(id);
  return held.is_ok() && *held;
}

void Node::stage_blob(const BlobId& id, std::string bytes) {
  if (state_->staged_blobs.count(id) != 0) return;
  if (bytes.size() > options_.staged_blob_bytes_max) {
    probe_->queue_refused("staged_values");
    return;
  }
  // Entries stepped into the core but not yet drained may need staged
  // values; drain them into their batches before anything is evicted.
  if (state_->staged_bytes + bytes.size() > options_.staged_blob_bytes_max &&
      state_->drain_requested) {
    drain();
  }
  // Oldest first out: a value whose append never came is the least useful.
  while (state_->staged_bytes + bytes.size() > options_.staged_blob_bytes_max &&
         !state_->staged_order.empty()) {
    auto oldest = state_->staged_blobs.find(state_->staged_order.front());
    state_->staged_order.pop_front();
    if (oldest == state_->staged_blobs.end()) continue;
    state_->staged_bytes -= oldest->second.bytes.size();
    probe_->queue_waited("staged_values", env_.monotonic_ms() - oldest->second.staged_ms);
    state_->staged_blobs.erase(oldest);
    probe_->queue_refused("staged_values");
  }
  state_->staged_bytes += bytes.size();
  state_->staged_order.push_back(id);
  state_->staged_blobs.emplace(id, State::StagedBlob{std::move(bytes), env_.monotonic_ms()});
}

void Node::release_proposed_blob(LogIndex index) {
  auto it = state_->proposed_by_index.find(index);
  if (it == state_->proposed_by_index.end()) return;
  auto held = state_->proposed_blobs.find(it->second.value);
  state_->proposed_by_index.erase(it);
  if (held == state_->proposed_blobs.end()) return;
  if (--held->second.uses == 0) {
    state_->proposed_bytes -= held->second.bytes.size();
    probe_->queue_waited("proposed_values", env_.monotonic_ms() - held->second.held_ms);
    state_->proposed_blobs.erase(held);
  }
}

void Node::receive_blobs(std::vector<InlineBlob> blobs) {
  for (InlineBlob& blob : blobs) {
    // A value this node holds already is not hashed again (a MiB costs
    // half a millisecond); a small one is hashed rather than looked up in
    // the store, which costs more, and is skipped when persisted if stored.
    const bool cheaper_to_hash = blob.bytes.size() <= kHashCheaperThanLookupBytes;
    if (state_->staged_blobs.count(blob.id) != 0 ||
        (!cheaper_to_hash && has_stored_blob(blob.id))) {
      state_->blobs_requested.erase(blob.id);
      continue;
    }
    // Never keep bytes that do not match their name.
    if (BlobId::of(blob.bytes) != blob.id) continue;
    state_->blobs_requested.erase(blob.id);
    stage_blob(blob.id, std::move(blob.bytes));
  }
}

void Node::receive(NodeId from, PeerMessage message) {
  if (auto* forwarded = std::get_if<ForwardedWrite>(&message)) {
    receive_forwarded_write(from, std::move(*forwarded));
    return;
  }
  if (state_->stopped) return;
  if (auto* answer = std::get_if<ForwardedWriteAnswer>(&message)) {
    receive_forward_answer(from, std::move(*answer));
    return;
  }
  if (auto* push = std::get_if<BlobPush>(&message)) {
    receive_blobs(std::move(push->blobs));
    request_drain();
    return;
  }
  if (auto* request = std::get_if<BlobRequest>(&message)) {
    BlobPush push;
    uint64_t bytes = 0;
    for (const BlobId& id : request->ids) {
      std::optional<std::string> value = find_blob(id);
      if (!value) continue;
      if (!push.blobs.empty() && bytes + value->size() > kPushBytesMax) {
        env_.send(from, PeerMessage(std::move(push)));
        push = BlobPush{};
        bytes = 0;
      }
      bytes += value->size();
      push.blobs.push_back(InlineBlob{id, std::move(*value)});
    }
    if (!push.blobs.empty()) env_.send(from, PeerMessage(std::move(push)));
    return;
  }
  auto& raft = std::get<RaftPeerMessage>(message);
  receive_blobs(std::move(raft.blobs));
  // An entry is persisted only with its values: hold back an append or a
  // snapshot whose values are missing, and ask for them. The sender
  // retries (probe, heartbeat), by which time they are here.
  std::vector<BlobId> missing;
  auto need = [&](const BlobId& id) {
    if (state_->staged_blobs.count(id) != 0) return;
    if (has_stored_blob(id)) return;
    if (auto proposed = state_->proposed_blobs.find(id); proposed != state_->proposed_blobs.end()) {
      // This node proposed the same value itself (when it led), and that
      // proposal lets go of it when its index applies or is overwritten,
      // which can happen before these entries reach the disk: stage a copy
      // for them. (Simulator seed 39 with a one-byte write budget.)
      stage_blob(id, proposed->second.bytes);
      return;
    }
    missing.push_back(id);
  };
  if (raft.raft.type == consensus::MessageType::kAppend) {
    for (const LogEntry& entry : raft.raft.entries) {
      if (entry.type != EntryType::kNormal || entry.data.empty()) continue;
      Result<Command> command = decode_command(entry.data);
      if (command.is_ok() && command->references_value()) need(command->value);
    }
  } else if (raft.raft.type == consensus::MessageType::kSnapshot && raft.raft.snapshot) {
    Result<StateSnapshot> state = decode_state_snapshot(raft.raft.snapshot->data);
    if (!state.is_ok()) return;  // a malformed snapshot is dropped
    for (const BlobId& id : state->blobs) need(id);
  }
  if (!missing.empty() && !options_.faults.skip_blob_before_entry) {
    std::vector<BlobId> ask = not_recently_requested(std::move(missing));
    if (!ask.empty()) {
      probe_->values_requested(ask.size());
      env_.send(from, PeerMessage(BlobRequest{std::move(ask)}));
    }
    return;
  }
  raft_->step(raft.raft);
  request_drain();
}

std::vector<BlobId> Node::not_recently_requested(std::vector<BlobId> missing) {
  // Half an election timeout: a value lost on the way (a full peer queue
  // dropped it) is asked for again well before the leader gives up.
  const uint64_t now = env_.monotonic_ms();
  const uint64_t again_after_ms = options_.tick_ms * options_.raft.election_timeout_ticks / 2;
  auto& requested = state_->blobs_requested;
  std::vector<BlobId> ask;
  for (const BlobId& id : missing) {
    auto it = requested.find(id);
    if (it != requested.end() && now - it->second < again_after_ms) continue;
    requested[id] = now;
    ask.push_back(id);
  }
  if (requested.size() > kBlobRequestsTrackedMax) {
    // Bounded: one pass over the map, dropping what is old enough to be
    // asked for again anyway; if every request is recent (a snapshot that
    // lacks thousands of values), forget them all: the cost is asking
    // again sooner, never not asking.
    for (auto it = requested.begin(); it != requested.end();) {
      it = now - it->second >= again_after_ms ? requested.erase(it) : std::next(it);
    }
    if (requested.size() > kBlobRequestsTrackedMax) requested.clear();
  }
  return ask;
}

void Node::collect_blobs() {
  // Entries the core has not handed out yet are invisible here; try again
  // at the next pass rather than miss what they reference.
  if (raft_->has_ready()) return;
  const uint64_t now_ms = env_.wall_ms();
  const uint64_t cutoff = now_ms > options_.blob_grace_ms ? now_ms - options_.blob_grace_ms : 0;
  Result<std::vector<BlobId>> candidates =
      storage_.unreferenced_blobs(cutoff, options_.blob_collect_batch_max);
  if (!candidates.is_ok() || candidates->empty()) return;
  // Values that any entry still in the log references must stay, whatever
  // the clock says: entries not yet applied will reference them, and a
  // leader sends its log's values to followers that lag (DESIGN.md: any
  // leader has the values of its whole log). The log is compacted every
  // snapshot_interval_entries, which bounds this scan.
  std::set<BlobId> needed;
  Result<std::vector<LogEntry>> in_log = storage_.entries(
      storage_.first_index(), LogIndex(storage_.last_index().value() + 1), UINT64_MAX);
  if (!in_log.is_ok()) return;
  auto keep_values_of = [&needed](const std::vector<LogEntry>& entries) {
    for (const LogEntry& entry : entries) {
      if (entry.type != EntryType::kNormal || entry.data.empty()) continue;
      Result<Command> command = decode_command(entry.data);
      if (command.is_ok() && command->references_value()) needed.insert(command->value);
    }
  };
  keep_values_of(*in_log);
  // Entries and snapshots on their way to the disk: a batch carries a
  // value only if it was not stored when the batch was made, so a stored
  // one must stay. (A snapshot's restore refuses to name a value that is
  // gone, and the node stops on the refused batch.)
  for (const ReadyInFlight& flight : state_->readies) {
    keep_values_of(flight.ready.entries);
    if (!flight.ready.snapshot) continue;
    Result<StateSnapshot> state = decode_state_snapshot(flight.ready.snapshot->data);
    if (!state.is_ok()) return;
    needed.insert(state->blobs.begin(), state->blobs.end());
  }
  WriteBatch batch;
  uint64_t deleted = 0;
  for (const BlobId& id : *candidates) {
    if (needed.count(id) != 0) continue;
    batch.delete_blob_if_unreferenced(id, cutoff);
    ++deleted;
  }
  if (batch.empty()) return;
  Status status = storage_.commit(batch, Sync::kNo);
  if (status.is_ok()) probe_->blobs_collected(deleted);
}

bool Node::State::ValuesPushed::covers(LogIndex index) const {
  return std::any_of(spans.begin(), spans.end(), [index](const auto& span) {
    return span.first <= index && index <= span.second;
  });
}

void Node::State::ValuesPushed::add(LogIndex first, LogIndex last) {
  spans.emplace_back(first, last);
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<LogIndex, LogIndex>> merged;
  for (const auto& span : spans) {
    if (!merged.empty() && span.first.value() <= merged.back().second.value() + 1) {
      merged.back().second = std::max(merged.back().second, span.second);
    } else {
      merged.push_back(span);
    }
  }
  if (merged.size() > kPushedSpansMax) merged.erase(merged.begin());
  spans = std::move(merged);
}

}  // namespace quokka::node
