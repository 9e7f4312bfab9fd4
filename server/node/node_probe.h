#pragma once

#include <cstdint>
#include <string_view>

#include "common/error_code.h"
#include "common/types.h"

namespace quokka::node {

// What the node reports about itself (STYLE §11: metrics stay outside the
// core). quokkad implements it with Prometheus metrics; the simulator counts
// what it needs. Every method has a default that does nothing.
class NodeProbe {
 public:
  virtual ~NodeProbe() = default;

  // A client request was answered after `latency_ms` of monotonic time.
  virtual void request_finished(std::string_view op, ErrorCode code,
                                uint64_t latency_ms) {
    (void)op, (void)code, (void)latency_ms;
  }
  // A bounded queue was full and refused an item.
  virtual void queue_refused(std::string_view queue) { (void)queue; }
  // An item left a bounded queue (taken, answered, expired or evicted)
  // after `waited_ms` in it.
  virtual void queue_waited(std::string_view queue, uint64_t waited_ms) {
    (void)queue, (void)waited_ms;
  }
  // A write proposed on this node: its entry committed, or it certainly
  // did not (refused by the core, or lost to another leader's entry).
  virtual void proposal_committed() {}
  virtual void proposal_failed() {}
  // A linearizable read did not get a read index: refused, dropped by a
  // leader change, or out of time before its round was confirmed.
  virtual void read_index_failed() {}
  virtual void leader_changed() {}
  // A follower passed a client's write on to the leader.
  virtual void write_forwarded() {}
  virtual void entries_applied(uint64_t count) { (void)count; }
  virtual void snapshot_sent() {}
  virtual void snapshot_installed() {}
  virtual void blobs_collected(uint64_t count) { (void)count; }
  // A leader sent the large value of the entry at `index` of `term` ahead
  // of an append to `to`.
  virtual void value_pushed(NodeId to, Term term, LogIndex index, uint64_t bytes) {
    (void)to, (void)term, (void)index, (void)bytes;
  }
  // A follower asked for `count` values an append needs and it lacks.
  virtual void values_requested(uint64_t count) { (void)count; }
};

}  // namespace quokka::node
