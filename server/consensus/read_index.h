#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "common/types.h"

namespace quokka::consensus {

// One linearizable read waiting for its read index: asked for here (from ==
// this node) or forwarded by a follower.
struct ReadRequest {
  std::string context;
  NodeId from;
  uint64_t waited_ticks = 0;
};

// A heartbeat round that confirms leadership for a batch of reads (Raft
// thesis §6.4): once a majority of voters answered heartbeats carrying
// `id`, every read in it may be served at `index`.
struct ReadRound {
  uint64_t id = 0;
  LogIndex index;
  std::set<NodeId> acknowledged;
  std::vector<ReadRequest> requests;
  uint64_t waited_ticks = 0;
};

// The read-index bookkeeping of one node. Batching: every read asked for
// before a round starts joins that round, and a round starts at most once
// per Ready, so many concurrent reads share one heartbeat round, while no
// read ever joins a round that started before it was asked (no reuse).
struct ReadIndexState {
  // Leader: reads waiting for the next round (or for the leader's first
  // commit in its term). Follower: reads forwarded to the leader.
  std::vector<ReadRequest> queued;
  std::deque<ReadRound> rounds;
  uint64_t next_round_id = 1;

  size_t pending() const;
};

// The heartbeat context that names round `id`, and back.
std::string encode_read_round(uint64_t id);
// 0 when `context` does not name a round.
uint64_t decode_read_round(const std::string& context);

}  // namespace quokka::consensus
