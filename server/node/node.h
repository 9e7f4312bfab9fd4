#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "server/consensus/raft.h"
#include "server/node/client_api.h"
#include "server/node/command.h"
#include "server/node/env.h"
#include "server/node/node_options.h"
#include "server/node/node_probe.h"
#include "server/node/peer_message.h"
#include "server/node/session_table.h"
#include "server/node/state_hash.h"
#include "server/node/storage_log.h"
#include "storage/storage.h"

namespace quokka::node {

// What a node says about itself (quokkactl status, /health).
struct NodeStatus {
  NodeId id;
  consensus::Role role = consensus::Role::kFollower;
  NodeId leader;
  Term term;
  LogIndex commit;
  LogIndex applied;
  Revision revision;
  uint64_t lamport_time = 0;
  uint64_t pending_writes = 0;
  uint64_t pending_reads = 0;
  uint64_t pending_forwards = 0;
};

// One of the node's bounded queues, as its metrics see it. Some are
// counted in bytes (proposals, staged_values, proposed_values), the rest in
// items; depth and capacity always share a unit.
struct NodeQueue {
  std::string_view name;
  uint64_t depth = 0;
  uint64_t capacity = 0;
};

// Where a write came from: a client of this node, or a follower that
// passed its client's write on. A forwarded write is never forwarded again.
enum class WriteOrigin : uint8_t { kClient, kForwarded };

// The replicated node: the request pipeline around the Raft core (DESIGN.md
// "Write path", "Read path"). It talks to the world only through Env, so
// quokkad and the simulator run this same code. Single-threaded: every call
// and every Env callback happens on one thread.
class Node {
 public:
  // Opens the node on `storage` (a new cluster member when the store is
  // empty: its configuration is options.initial_members).
  static Result<std::unique_ptr<Node>> open(const NodeOptions& options, Env& env,
                                            Storage& storage, NodeProbe* probe = nullptr);
  ~Node();

  // Call every options.tick_ms of monotonic time.
  void tick();
  void receive(NodeId from, PeerMessage message);
  // Answers through `done` exactly once: with the result, or with an error
  // by `deadline_ms` (monotonic) at the latest (TIMEOUT; indeterminate for
  // writes that may still apply).
  void submit(ClientRequest request, uint64_t deadline_ms, ResponseCallback done);

  // The connection to `peer` broke (either direction): writes forwarded to
  // it may have been lost, or their answers may be, so they are answered
  // now, as indeterminate, instead of at their deadline.
  void peer_disconnected(NodeId peer);

  // Hands leadership to the most up-to-date voter (before a planned stop).
  // Does nothing when this node does not lead or has no other voter.
  void hand_over_leadership();

  NodeStatus status() const;
  // Every bounded queue of the node (its metrics name them as given).
  std::vector<NodeQueue> queues() const;
  // The replicated state at the applied index, comparable across nodes.
  Result<StateHash> state_hash() const;
  const consensus::Raft& raft() const { return *raft_; }

 private:
  struct PendingWrite;
  struct PendingRead;
  struct PendingForward;
  struct ReadyInFlight;

  Node(const NodeOptions& options, Env& env, Storage& storage, NodeProbe* probe);

  // node_write.cc
  void submit_write(ClientRequest request, uint64_t deadline_ms, ResponseCallback done,
                    WriteOrigin origin);
  // node_forward.cc
  void forward_write(ClientRequest request, uint64_t deadline_ms, ResponseCallback done);
  void receive_forwarded_write(NodeId from, ForwardedWrite forwarded);
  void receive_forward_answer(NodeId from, ForwardedWriteAnswer answer);
  // Answers every forward that `ends` selects (by the leader it went to and
  // its deadline) with an indeterminate TIMEOUT whose message `why` writes
  // (the write may have been proposed).
  void fail_forwards(const std::function<bool(NodeId leader, uint64_t deadline_ms)>& ends,
                     const std::function<std::string(NodeId leader)>& why);
  // The leader this node knows changed to `leader` (NodeId(0): none);
  // forwards to any other node can no longer be answered by it as leader.
  void known_leader_changed(NodeId leader);
  void expire_forwards(uint64_t now_ms);
  // node_read.cc
  void submit_read(ClientRequest request, uint64_t deadline_ms, ResponseCallback done);
  void serve_read(PendingRead& read);
  void serve_reads_up_to_applied();
  // node_ready.cc
  void drain();
  // drain() once the current burst of input is in (Env::defer); several
  // requests in one burst schedule one drain.
  void request_drain();
  void persisted(uint64_t sequence, Status status);
  void finish_readies();
  void submit_deferred_batches();
  void send_raft(consensus::Message message);
  // node_apply.cc
  void apply(const std::vector<LogEntry>& entries);
  struct AppliedEntry {
    std::optional<Command> command;
    std::optional<WriteResult> result;
    Status refused;  // committed, refused by its session's verdict
  };
  using PointerOverlay = std::map<std::string, std::optional<PointerRecord>>;
  AppliedEntry apply_entry(const LogEntry& entry, uint64_t now_ms, AppliedState& applied,
                           PointerOverlay& written, WriteBatch& batch);
  void answer_applied(const LogEntry& entry, AppliedEntry& outcome);
  // node_blobs.cc
  void receive_blobs(std::vector<InlineBlob> blobs);
  // The values of `missing` not asked for within the last while; marks
  // them asked for now.
  std::vector<BlobId> not_recently_requested(std::vector<BlobId> missing);
  std::optional<std::string> find_blob(const BlobId& id) const;
  // A value this node holds in memory (proposed or staged), or null.
  const std::string* held_blob(const BlobId& id) const;
  // Whether the store holds the value; a read error counts as "no".
  bool has_stored_blob(const BlobId& id) const;
  void collect_blobs();
  // The entry at `index` no longer needs the value held for it.
  // Drops this node's hold on the value proposed at `index`, if any.
  void release_proposed_blob(LogIndex index);
  // node_write.cc: the write_values budget.
  void hold_write_value_bytes(LogIndex index, uint64_t bytes, uint64_t now_ms);
  void release_write_value_bytes_at(LogIndex index);
  void release_write_value_bytes_through(LogIndex index);
  void stage_blob(const BlobId& id, std::string bytes);

  // Answers a request refused before anything happened (definite).
  void refuse_request(std::string_view op, Status status, const ResponseCallback& done);
  void expire_requests();
  ResponseHeader header() const;
  void fail_pending_writes_before(LogIndex index);

  NodeOptions options_;
  Env& env_;
  Storage& storage_;
  NodeProbe* probe_;
  std::unique_ptr<StorageLog> log_storage_;
  std::unique_ptr<consensus::Raft> raft_;
  // Implementation state lives in node_state.h to keep this header short.
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace quokka::node
