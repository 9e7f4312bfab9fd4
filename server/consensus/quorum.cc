#include "server/consensus/quorum.h"

#include <algorithm>
#include <functional>

namespace quokka::consensus {

LogIndex MajorityQuorum::committed_index(
    const std::map<NodeId, LogIndex>& acked) const {
  if (voters_.empty()) return LogIndex(0);
  std::vector<LogIndex> indexes;
  indexes.reserve(voters_.size());
  for (NodeId voter : voters_) {
    auto it = acked.find(voter);
    indexes.push_back(it == acked.end() ? LogIndex(0) : it->second);
  }
  // Descending: the size()-th largest is held by a majority.
  std::sort(indexes.begin(), indexes.end(), std::greater<>());
  return indexes[size() - 1];
}

VoteResult MajorityQuorum::vote_result(
    const std::map<NodeId, bool>& votes) const {
  size_t granted = 0;
  size_t missing = 0;
  for (NodeId voter : voters_) {
    auto it = votes.find(voter);
    if (it == votes.end()) {
      ++missing;
    } else if (it->second) {
      ++granted;
    }
  }
  if (granted >= size()) return VoteResult::kWon;
  if (granted + missing >= size()) return VoteResult::kPending;
  return VoteResult::kLost;
}

}  // namespace quokka::consensus
