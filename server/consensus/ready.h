#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/types.h"
#include "server/consensus/message.h"
#include "server/consensus/snapshot.h"
#include "storage/log_entry.h"

namespace quokka::consensus {

enum class Role : uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };

std::string_view role_name(Role role);

// Volatile facts about the node that the application may want to show or
// act on; never persisted.
struct SoftState {
  NodeId leader;  // NodeId(0) when unknown
  Role role = Role::kFollower;
  bool operator==(const SoftState&) const = default;
};

// A linearizable read is safe at `index` once the application has applied
// through it (Raft thesis §6.4). `context` is the request's own, as passed
// to read_index().
struct ReadState {
  LogIndex index;
  std::string context;
  bool operator==(const ReadState&) const = default;
};

// What the core asks of the application, handed out by Raft::ready().
//
// THE ORDERING RULE. For each Ready, in this order:
//   1. `messages` may be sent at once, before anything is persisted
//      (heartbeats, the leader's appends, pre-votes, read-index traffic):
//      none of them promises anything about this node's disk.
//   2. Persist `snapshot` (if any), then `entries`, then `hard_state` (if
//      any), atomically or in that order, and sync.
//   3. Only then send `messages_after_persist` (vote grants, append
//      acknowledgements, vote requests): each speaks of state that must
//      survive a crash first.
//   4. Apply `committed_entries` in order; they are already durable here.
//      `read_states` are answered once applied >= their index.
//   5. Call advance(ready). Readies must be advanced in the order they were
//      handed out; several may be outstanding at once (pipelining), so a
//      slow sync delays nothing but the acknowledgements that depend on it.
struct Ready {
  std::optional<SoftState> soft_state;  // set when it changed
  std::optional<HardState> hard_state;  // set when it must be persisted
  std::optional<Snapshot> snapshot;     // to install and persist
  std::vector<LogEntry> entries;        // to append (may overwrite a suffix)
  std::vector<Message> messages;
  std::vector<Message> messages_after_persist;
  std::vector<LogEntry> committed_entries;
  std::vector<ReadState> read_states;
  // Read requests the core gave up on (no leader, leadership lost, or the
  // queue of reads was full), by context: answer them with an error.
  std::vector<std::string> dropped_reads;
  // The node's Lamport time when the Ready was made; log lines use it.
  uint64_t lamport_time = 0;

  bool empty() const;
};

}  // namespace quokka::consensus
