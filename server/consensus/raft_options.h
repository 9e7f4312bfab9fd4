#pragma once

#include <cstdint>

#include "common/types.h"

namespace quokka::consensus {

// Switches that break Raft on purpose, so that tests can prove the property
// checker finds what they break (negative controls). Never set outside tests.
struct FaultInjection {
  // Grant a vote to any candidate of the current term, even after voting
  // for another (breaks election safety).
  bool vote_twice_in_term = false;
  // Commit an entry of an older term by counting replicas (breaks Raft
  // §5.4.2; Figure 8 shows the loss).
  bool commit_older_terms_by_counting = false;
};

// Everything the core needs to know to start. Timing is in logical ticks:
// the application turns monotonic time into tick() calls.
struct RaftOptions {
  NodeId id;
  // A follower that hears from no leader for a randomized time in
  // [election_timeout_ticks, 2 * election_timeout_ticks) campaigns
  // (Raft §5.2). Must be larger than heartbeat_ticks.
  uint64_t election_timeout_ticks = 10;
  uint64_t heartbeat_ticks = 1;
  // Seeds the randomized election timeout; the core has no other randomness.
  uint64_t random_seed = 0;
  // Thesis §9.6: a would-be candidate first asks whether it could win, so a
  // node rejoining after a partition does not raise terms and depose a
  // healthy leader.
  bool pre_vote = true;
  // Thesis §6.2: a leader that has not heard from a majority within an
  // election timeout steps down; followers that heard from a leader within
  // the timeout ignore (pre-)votes.
  bool check_quorum = true;
  // Flow control per follower: append messages and bytes in flight.
  uint64_t inflight_messages_max = 256;
  uint64_t inflight_bytes_max = 16 * 1024 * 1024;
  // Entries' bytes in one append message (the first entry always goes).
  uint64_t append_bytes_max = 1024 * 1024;
  // Bytes of proposed entries not yet committed; proposals beyond are
  // refused with OVERLOADED.
  uint64_t uncommitted_bytes_max = 64 * 1024 * 1024;
  // Read-index requests waiting for their round; beyond are refused with
  // OVERLOADED.
  uint64_t pending_reads_max = 65536;
  // Committed entries' bytes handed out in one Ready.
  uint64_t apply_bytes_max = 64 * 1024 * 1024;
  // The last index the application has applied (on restart), so that
  // committed entries are not handed out twice.
  LogIndex applied;
  // Run check_invariants() after every step() and tick(). On in tests, the
  // simulator and debug builds; a node may turn it off for speed.
  bool check_invariants = true;
  FaultInjection faults;
};

}  // namespace quokka::consensus
