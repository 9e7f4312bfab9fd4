#pragma once

#include <cstdint>

namespace quokka {

// [raft]: timing and flow control of the consensus core. The core counts
// logical ticks; the daemon turns tick_ms of monotonic time into one tick.
struct RaftConfig {
  uint64_t tick_ms = 100;
  // A follower that hears nothing from a leader for a randomized time in
  // [election_timeout_ticks, 2 * election_timeout_ticks) starts an election
  // (Raft §5.2). Invariant after validate(): heartbeat_ticks is smaller.
  uint64_t election_timeout_ticks = 10;
  uint64_t heartbeat_ticks = 1;
  // AppendEntries messages in flight to one follower before the leader waits
  // for acknowledgements (etcd-raft's MaxInflightMsgs).
  uint64_t inflight_append_messages_max = 256;
  // Payload of one AppendEntries message; inline values count towards it.
  uint64_t append_bytes_max = 1024 * 1024;
  // Log entries applied between two snapshots; the log before a snapshot is
  // then trimmed.
  uint64_t snapshot_interval_entries = 10000;

  bool operator==(const RaftConfig&) const = default;
};

}  // namespace quokka
