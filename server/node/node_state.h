#pragma once

// The node's private state (node.h keeps only its shape). Included by the
// node's own .cc files only.

#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "server/consensus/ready.h"
#include "server/node/command.h"
#include "server/node/node.h"
#include "server/node/session_table.h"

namespace quokka::node {

// Names of node records (storage's per-node records, see WriteBatch).
namespace record_name {
// The membership as of the applied index; replicated, part of the state.
inline constexpr std::string_view kAppliedConf = "conf/applied";
// The membership as of the log's first entry; local to this node (its log
// was compacted at its own pace), so not part of the state hash.
inline constexpr std::string_view kLogStartConf = "local/log_start_conf";
inline constexpr std::string_view kLocalPrefix = "local/";
}  // namespace record_name

struct Node::PendingWrite {
  Term term;
  CommandType type = CommandType::kPut;
  std::string key;
  ResponseCallback done;
  uint64_t deadline_ms = 0;
  uint64_t start_ms = 0;
};

struct Node::PendingRead {
  ClientRequest request;
  ResponseCallback done;
  uint64_t deadline_ms = 0;
  uint64_t start_ms = 0;
  // Set once the read index is known; served when applied reaches it.
  std::optional<LogIndex> read_index;
};

// A client write passed on to the leader, waiting for its answer.
struct Node::PendingForward {
  // The leader it went to; only that node's answer counts.
  NodeId leader;
  std::string op;
  ResponseCallback done;
  uint64_t deadline_ms = 0;
  uint64_t start_ms = 0;
};

// A Ready between ready() and advance(): its persist may still be running.
struct Node::ReadyInFlight {
  uint64_t sequence = 0;
  consensus::Ready ready;
  bool persisted = false;
  // A batch held back until it may be written: a snapshot restore waits
  // until every earlier Ready is finished (their committed entries apply
  // below the snapshot), and every later batch waits behind it.
  std::optional<WriteBatch> deferred;
  // Whether the batch must be synced (see Node::drain).
  Sync sync = Sync::kYes;
  // Staged values written by this Ready's batch, dropped from memory once
  // it is durable.
  std::vector<BlobId> staged_written;
};

struct Node::State {
  explicit State(uint64_t sessions_max) : sessions(sessions_max) {}

  SessionTable sessions;
  // Client writes proposed here, by log index; answered when that index
  // applies (or times out).
  std::map<LogIndex, PendingWrite> writes;
  // Reads by id (the read-index context).
  std::map<uint64_t, PendingRead> reads;
  uint64_t next_read_id = 1;
  // Writes passed on to the leader, by forward id; answered when the
  // leader's answer comes back, or indeterminately when their deadline
  // passes, the leader changes or the link to it drops. Bounded by
  // forwarded_writes_max.
  std::map<uint64_t, PendingForward> forwards;
  uint64_t next_forward_id = 1;

  std::deque<ReadyInFlight> readies;
  uint64_t next_ready_sequence = 1;

  // Values not yet durable here that entries or appends need: proposed on
  // this node, or received ahead of the entries that reference them.
  // Bounded by staged_blob_bytes_max; the oldest go first.
  struct StagedBlob {
    std::string bytes;
    uint64_t staged_ms = 0;  // monotonic, for the queue-wait metric
  };
  std::map<BlobId, StagedBlob> staged_blobs;
  std::deque<BlobId> staged_order;
  uint64_t staged_bytes = 0;
  // Values of writes proposed here, held (never evicted) until the entry
  // that references them applies (or a snapshot passes it); they count
  // against the same bound.
  struct ProposedBlob {
    std::string bytes;
    uint64_t uses = 0;  // entries proposed here that reference it
    uint64_t held_ms = 0;  // monotonic, for the queue-wait metric
  };
  std::map<BlobId, ProposedBlob> proposed_blobs;
  // The proposal at each index and its term. An index can be proposed
  // again in a later term (the first proposal was overwritten before it
  // persisted), while a Ready with the first one is still on its way to
  // the disk; the term tells them apart.
  struct ProposedAt {
    BlobId value;
    Term term;
  };
  std::map<LogIndex, ProposedAt> proposed_by_index;
  uint64_t proposed_bytes = 0;
  // Value bytes of the writes this node proposed whose index has not
  // applied yet, by index: the work admitted and not done (persisting,
  // pushing to followers, committing), bounded by write_values_bytes_max.
  // Released when the index applies, whatever entry ends up there, so an
  // overwritten or timed-out proposal frees its share too.
  struct WriteValueBytes {
    uint64_t bytes = 0;
    uint64_t held_ms = 0;  // monotonic, for the queue-wait metric
  };
  std::map<LogIndex, WriteValueBytes> write_value_bytes_by_index;
  uint64_t write_value_bytes = 0;

  // Values this node asked a peer for, and when (monotonic ms): an append
  // that arrives again before they do asks again only after a while, so a
  // burst of retried appends cannot make the leader send the same
  // megabytes over and over. Bounded by kBlobRequestsTrackedMax.
  std::map<BlobId, uint64_t> blobs_requested;

  // On a leader, per follower: the spans of indexes sent to it in appends
  // this term, with their values (sorted, disjoint, at most
  // kPushedSpansMax; past it the lowest is forgotten). An entry sent again
  // inside one (after a rejection, a loss) goes without its large value:
  // re-sending megabytes to a follower that fell behind feeds the
  // congestion that made it fall behind. A follower missing one asks for
  // it. One entry per peer.
  struct ValuesPushed {
    static constexpr size_t kPushedSpansMax = 8;
    Term term;
    std::vector<std::pair<LogIndex, LogIndex>> spans;  // [first, last]

    bool covers(LogIndex index) const;
    void add(LogIndex first, LogIndex last);
  };
  std::map<NodeId, ValuesPushed> values_pushed;

  consensus::ConfState applied_conf;
  uint64_t ticks = 0;
  LogIndex last_compaction;
  NodeId known_leader;
  // A write to the disk failed: the node answers nothing any more.
  bool stopped = false;
  // The hard state of the last Ready handed out; a Ready that changes only
  // its commit index needs no sync.
  HardState last_hard_state;
  // A deferred drain is scheduled and has not run yet.
  bool drain_requested = false;
};

// A read's id as the read-index context (8 bytes, big-endian), and back;
// 0 (no read) for a context of another shape.
inline std::string read_context_of(uint64_t id) {
  std::string context;
  for (int shift = 56; shift >= 0; shift -= 8) {
    context.push_back(static_cast<char>((id >> shift) & 0xff));
  }
  return context;
}
inline uint64_t read_id_of(const std::string& context) {
  if (context.size() != 8) return 0;
  uint64_t id = 0;
  for (char c : context) id = (id << 8) | static_cast<uint8_t>(c);
  return id;
}

inline std::string_view op_name(CommandType type) {
  switch (type) {
    case CommandType::kPut: return "put";
    case CommandType::kDelete: return "delete";
    case CommandType::kCompareAndSwap: return "cas";
  }
  return "write";
}

// The answer to a write from its recorded result (fresh or a retry's).
ClientResponse write_response(const WriteResult& result, CommandType type,
                              const std::string& key, ResponseHeader header);

}  // namespace quokka::node
