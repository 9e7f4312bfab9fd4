#pragma once

#include <cstdint>
#include <vector>

#include "common/types.h"
#include "server/consensus/raft_options.h"

namespace quokka::node {

// Switches that break the node on purpose, so tests can prove the simulator's
// checkers catch what they break (negative controls). Never set otherwise.
struct NodeFaultInjection {
  // Answer a write as soon as the leader has appended it, before it is
  // synced on a majority (and before it is applied).
  bool acknowledge_before_commit = false;
  // Serve linearizable reads from the local state without ReadIndex.
  bool local_linearizable_reads = false;
  // Persist log entries without the values they reference.
  bool skip_blob_before_entry = false;
};

// Limits of DESIGN.md "Limits", enforced on every request.
struct NodeLimits {
  uint64_t key_bytes_max = 4096;
  uint64_t value_bytes_max = 16 * 1024 * 1024;
  // Values up to this size ride with the append; larger ones go ahead of it.
  uint64_t inline_value_bytes_max = 64 * 1024;
  uint64_t range_keys_max = 10000;
  uint64_t range_bytes_max = 4 * 1024 * 1024;
};

struct NodeOptions {
  NodeId id;
  // The voters of a new cluster; read only when the store is empty.
  std::vector<NodeId> initial_members;
  consensus::RaftOptions raft;
  NodeLimits limits;
  // Milliseconds of monotonic time per Raft tick.
  uint64_t tick_ms = 100;
  // Exactly-once sessions kept; past it the least recently used is evicted,
  // and its client must start a new session.
  uint64_t sessions_max = 100000;
  // Client writes waiting to be applied, and reads waiting for a read index
  // or for apply. Full -> OVERLOADED at once.
  uint64_t pending_writes_max = 10000;
  uint64_t pending_reads_max = 10000;
  // A value no key references is kept this long (wall clock), so a reader
  // that resolved an old pointer still gets it.
  uint64_t blob_grace_ms = 60000;
  // Unreferenced values deleted per collection pass, and passes per tick.
  uint64_t blob_collect_batch_max = 1000;
  uint64_t blob_collect_interval_ticks = 10;
  // Values a node keeps in memory while the entries that need them are not
  // yet persisted (received ahead of their append, or proposed here).
  uint64_t staged_blob_bytes_max = 256 * 1024 * 1024;
  // Value bytes of writes proposed on this node and not yet applied. Past
  // it a write with a value is refused with OVERLOADED at once (one write
  // is admitted whatever its size when none is in flight), so a flood of
  // large writes is answered quickly instead of waiting past its deadline
  // while its bytes pile up in memory.
  uint64_t write_values_bytes_max = 32 * 1024 * 1024;
  // Applied entries between snapshots; the log before a snapshot is dropped.
  uint64_t snapshot_interval_entries = 10000;
  // A follower passes client writes on to the leader it knows and relays
  // the answer; otherwise it refuses them with NOT_LEADER naming the leader.
  bool forward_writes = true;
  // Writes this node has passed on whose answer has not come back yet.
  // Full -> OVERLOADED at once, so a slow leader cannot make a follower
  // hold requests without bound.
  uint64_t forwarded_writes_max = 1024;
  // Differs between two runs of the same node (quokkad draws it at random
  // on start), so an answer to a forward of an earlier run that arrives
  // late is never taken for the answer to one of this run's.
  uint64_t incarnation = 0;
  NodeFaultInjection faults;
};

}  // namespace quokka::node
