#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace quokka::consensus {

// Who is in the cluster. Voters elect leaders and count in every quorum;
// learners receive the log but never count in any quorum (Raft thesis §4.2.1).
// Both lists are ascending and disjoint.
struct ConfState {
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;

  bool is_voter(NodeId id) const;
  bool is_learner(NodeId id) const;
  bool is_member(NodeId id) const { return is_voter(id) || is_learner(id); }

  bool operator==(const ConfState&) const = default;
};

// One membership change. Changes take effect one at a time (Raft thesis
// §4.1, single-server changes), so every majority of the new voters overlaps
// every majority of the old ones.
enum class ConfChangeType : uint8_t {
  kAddLearner = 1,       // a new member that receives the log but never votes
  kPromoteLearner = 2,   // an existing learner becomes a voter
  kRemoveMember = 3,     // a voter or learner leaves
};

struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddLearner;
  NodeId node;

  bool operator==(const ConfChange&) const = default;
};

// The configuration after `change`, or INVALID_ARGUMENT naming why the change
// cannot apply to `state` (adding a member that exists, promoting a node that
// is not a learner, removing a stranger, removing the last voter).
Result<ConfState> apply_conf_change(const ConfState& state,
                                    const ConfChange& change);

// The payload of a kConfChange log entry: 1 byte type, 8 bytes node id
// (little endian), with a leading format byte so the encoding can grow.
std::string encode_conf_change(const ConfChange& change);
// CORRUPT naming the problem when `data` is not an encoded ConfChange.
Result<ConfChange> decode_conf_change(std::string_view data);

}  // namespace quokka::consensus
