#pragma once

#include <cstdint>
#include <functional>

#include "common/status.h"
#include "common/types.h"
#include "server/node/peer_message.h"
#include "storage/write_batch.h"

namespace quokka::node {

// Everything the node needs from the world, so quokkad and the simulator run
// the same node code (DESIGN.md "Layers"). All callbacks run on the node's
// own thread, never re-entrantly from inside a call into Env.
class Env {
 public:
  virtual ~Env() = default;

  // Milliseconds of a clock that never goes back; drives timeouts only.
  virtual uint64_t monotonic_ms() const = 0;
  // Milliseconds since the Unix epoch. It may jump either way; nothing that
  // decides correctness reads it (only the blob grace period, whose worst
  // case under a jump is collecting a value later or earlier).
  virtual uint64_t wall_ms() const = 0;

  // Best effort: the message may be lost, delayed, duplicated or reordered.
  virtual void send(NodeId to, PeerMessage message) = 0;

  // Writes `batch`, synced when `sync` says so. Batches complete in the
  // order they were given, and `done` runs once per batch, in that order, on
  // the node's thread. An unsynced batch is written (visible to reads) but
  // becomes durable only with a later synced one: a crash may lose it, and
  // then every batch after it too, never an earlier one. A batch still in
  // flight when the process dies may be lost; an error means the disk failed
  // and the node must stop.
  virtual void persist(WriteBatch batch, Sync sync, std::function<void(Status)> done) = 0;

  // Runs `work` on the node's thread once the current call has returned and
  // what is already queued for the node has run (quokkad: the event loop's
  // next turn). The node hands the consensus core everything that arrived
  // together (a socket read's worth of requests or appends) before asking it
  // for a Ready, so they share one append, one sync and one acknowledgement.
  virtual void defer(std::function<void()> work) = 0;
};

}  // namespace quokka::node
