#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"
#include "server/consensus/snapshot.h"
#include "storage/log_entry.h"

namespace quokka::consensus {

// The kinds of message Raft nodes exchange. The numbering matches
// proto/peer.proto's RaftMessageType, so that conversion is a cast.
enum class MessageType : uint8_t {
  kVote = 1,                 // Raft §5.2 RequestVote
  kVoteResponse = 2,
  kPreVote = 3,              // Raft thesis §9.6: would you vote for me?
  kPreVoteResponse = 4,
  kAppend = 5,               // Raft §5.3 AppendEntries
  kAppendResponse = 6,
  kHeartbeat = 7,            // AppendEntries without entries
  kHeartbeatResponse = 8,
  kSnapshot = 9,             // Raft §7 InstallSnapshot
  kSnapshotStatus = 10,      // reserved for the node; the core never sends it
  kReadIndex = 11,           // Raft thesis §6.4: a follower asks for a read index
  kReadIndexResponse = 12,
  kTimeoutNow = 13,          // Raft thesis §3.10: campaign now
};

std::string_view message_type_name(MessageType type);


// One message between two nodes. Field use follows etcd-raft's Message and
// proto/peer.proto's RaftMessage; unused fields stay at their defaults.
struct Message {
  MessageType type = MessageType::kHeartbeat;
  NodeId from;
  NodeId to;
  // The sender's term; 0 only for messages that carry no term (none yet).
  Term term;
  // kAppend: term of the entry at `index`. kVote / kPreVote: the term of the
  // candidate's last entry.
  Term log_term;
  // kAppend: index of the entry just before `entries`. kVote / kPreVote: the
  // candidate's last index. kAppendResponse: the highest index the follower
  // now holds (accept) or the index that did not match (reject).
  // kReadIndexResponse: the read index.
  LogIndex index;
  std::vector<LogEntry> entries;
  // The sender's commit index (kAppend, kHeartbeat: capped at what the
  // receiver is known to hold).
  LogIndex commit;
  // Responses: vote not granted, or the log did not match.
  bool reject = false;
  // kAppendResponse with reject: the follower's last index and its term at
  // the probed position, so the leader backs up by a term at a time (fast
  // backtracking) instead of one entry per round trip.
  LogIndex reject_hint;
  Term reject_hint_term;
  // kHeartbeat(Response), kReadIndex(Response): opaque to Raft; carries the
  // identity of a read-index round.
  std::string context;
  // kSnapshot only.
  std::optional<Snapshot> snapshot;
  // The sender's Lamport time when it sent this message (t + 1 on send).
  uint64_t lamport_time = 0;

  // Sum of the entries' byte sizes, for flow control.
  uint64_t entries_bytes() const;

  bool operator==(const Message&) const = default;
};

// "kAppend 1->2 term=3 log_term=2 index=5 commit=4 entries=[6@3 7@3]"
std::string describe(const Message& message);

}  // namespace quokka::consensus
