#pragma once

#include <cstdint>

namespace quokka {

// [queues]: the capacity of every bounded queue in the daemon (DESIGN
// principle 4). A full queue refuses at once with OVERLOADED; depth,
// capacity and refusals are exported as metrics per queue.
struct QueuesConfig {
  // listen(2) backlog of each listening socket.
  uint64_t accept_backlog_connections = 128;
  // Open client connections; further connections are accepted, answered
  // with OVERLOADED and closed.
  uint64_t connections_max = 1024;
  // Requests one client connection may have outstanding (pipelining).
  uint64_t inflight_requests_per_connection_max = 256;
  // Writes waiting to be appended to the Raft log on the leader.
  uint64_t proposals_max = 4096;
  // Committed entries waiting to be applied. etcd refuses writes when
  // commit runs 5000 entries ahead of apply; this is the same guard.
  uint64_t apply_entries_max = 4096;
  // Linearizable reads waiting for their read index to be applied.
  uint64_t pending_reads_max = 4096;
  // Concurrent blob streams (sending and receiving together).
  uint64_t blob_transfers_max = 64;
  // Writes a follower has passed on to the leader (cluster.forward_writes)
  // and not yet had answered.
  uint64_t forwarded_writes_max = 1024;
  // Messages waiting to be sent to one peer, in each of two lanes, and the
  // bytes of the bulk lane. Control messages (heartbeats, votes, answers)
  // go ahead of the bulk lane (appends, snapshots, value pushes, forwarded
  // writes); a full lane drops its own oldest message.
  uint64_t peer_outgoing_messages_max = 1024;
  uint64_t peer_outgoing_bytes_max = 64ULL * 1024 * 1024;
  // Value bytes of writes the leader has admitted and not yet applied;
  // past it writes with a value are refused with OVERLOADED at once. At
  // most peer_outgoing_bytes_max (checked), and by default half of it, so
  // the first push of every admitted value fits in each peer's queue with
  // room for resends.
  uint64_t write_values_bytes_max = 32ULL * 1024 * 1024;
  // Write batches waiting for the storage thread's next group commit.
  uint64_t storage_writes_max = 4096;

  bool operator==(const QueuesConfig&) const = default;
};

}  // namespace quokka
