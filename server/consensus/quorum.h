#pragma once

#include <map>
#include <vector>

#include "common/types.h"

namespace quokka::consensus {

// The outcome of counting votes among voters.
enum class VoteResult : uint8_t { kPending, kWon, kLost };

// Majority arithmetic over a set of voters (Raft §5.2, §5.3). Learners are
// never passed in: they count in no quorum.
class MajorityQuorum {
 public:
  explicit MajorityQuorum(std::vector<NodeId> voters)
      : voters_(std::move(voters)) {}

  // floor(n / 2) + 1.
  size_t size() const { return voters_.size() / 2 + 1; }

  // The highest index that a majority of voters has reached: the
  // size()-th largest of their acknowledged indexes (missing = 0).
  LogIndex committed_index(const std::map<NodeId, LogIndex>& acked) const;

  // Won once a majority granted; lost once a majority can no longer grant.
  VoteResult vote_result(const std::map<NodeId, bool>& votes) const;

 private:
  std::vector<NodeId> voters_;
};

}  // namespace quokka::consensus
