#include "server/consensus/conf_state.h"

#include <algorithm>

#include <fmt/format.h>

namespace quokka::consensus {
namespace {

constexpr uint8_t kConfChangeFormat = 1;
constexpr size_t kEncodedSize = 1 + 1 + 8;

bool contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::binary_search(ids.begin(), ids.end(), id);
}

void insert_sorted(std::vector<NodeId>& ids, NodeId id) {
  ids.insert(std::lower_bound(ids.begin(), ids.end(), id), id);
}

void erase(std::vector<NodeId>& ids, NodeId id) {
  ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
}

}  // namespace

bool ConfState::is_voter(NodeId id) const { return contains(voters, id); }
bool ConfState::is_learner(NodeId id) const { return contains(learners, id); }

Result<ConfState> apply_conf_change(const ConfState& state,
                                    const ConfChange& change) {
  if (change.node == NodeId(0)) {
    return Status(ErrorCode::kInvalidArgument,
                  "a membership change needs a node id other than 0");
  }
  ConfState next = state;
  switch (change.type) {
    case ConfChangeType::kAddLearner:
      if (state.is_member(change.node)) {
        return Status(ErrorCode::kInvalidArgument,
                      fmt::format("node {} is already a member", change.node.value()));
      }
      insert_sorted(next.learners, change.node);
      return next;
    case ConfChangeType::kPromoteLearner:
      if (!state.is_learner(change.node)) {
        return Status(ErrorCode::kInvalidArgument,
                      fmt::format("node {} is not a learner; only a learner can "
                                  "be promoted to voter",
                                  change.node.value()));
      }
      erase(next.learners, change.node);
      insert_sorted(next.voters, change.node);
      return next;
    case ConfChangeType::kRemoveMember:
      if (!state.is_member(change.node)) {
        return Status(ErrorCode::kInvalidArgument,
                      fmt::format("node {} is not a member", change.node.value()));
      }
      if (state.is_voter(change.node) && state.voters.size() == 1) {
        return Status(ErrorCode::kInvalidArgument,
                      fmt::format("node {} is the last voter; a cluster needs "
                                  "at least one",
                                  change.node.value()));
      }
      erase(next.voters, change.node);
      erase(next.learners, change.node);
      return next;
  }
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("unknown membership change type {}",
                            static_cast<int>(change.type)));
}

std::string encode_conf_change(const ConfChange& change) {
  std::string out;
  out.reserve(kEncodedSize);
  out.push_back(static_cast<char>(kConfChangeFormat));
  out.push_back(static_cast<char>(change.type));
  uint64_t node = change.node.value();
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>((node >> (8 * i)) & 0xff));
  }
  return out;
}

Result<ConfChange> decode_conf_change(std::string_view data) {
  if (data.size() != kEncodedSize) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("membership change entry has {} bytes; expected {}",
                              data.size(), kEncodedSize));
  }
  if (static_cast<uint8_t>(data[0]) != kConfChangeFormat) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("membership change entry has format {}; this "
                              "binary reads format {}",
                              static_cast<uint8_t>(data[0]), kConfChangeFormat));
  }
  const auto type = static_cast<uint8_t>(data[1]);
  if (type < 1 || type > 3) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("membership change entry has type {}; allowed 1..3",
                              type));
  }
  uint64_t node = 0;
  for (int i = 0; i < 8; ++i) {
    node |= static_cast<uint64_t>(static_cast<uint8_t>(data[2 + i])) << (8 * i);
  }
  return ConfChange{static_cast<ConfChangeType>(type), NodeId(node)};
}

}  // namespace quokka::consensus
