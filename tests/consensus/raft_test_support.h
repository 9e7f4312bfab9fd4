#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "server/consensus/message.h"
#include "server/consensus/raft_options.h"
#include "tests/consensus/raft_harness.h"

namespace quokka::consensus {

// Readable gtest output for the core's value types.
inline void PrintTo(const ConfState& conf, std::ostream* out) {
  *out << "voters=[";
  for (size_t i = 0; i < conf.voters.size(); ++i) *out << (i ? " " : "") << conf.voters[i];
  *out << "] learners=[";
  for (size_t i = 0; i < conf.learners.size(); ++i) *out << (i ? " " : "") << conf.learners[i];
  *out << "]";
}

inline void PrintTo(const ReadState& read, std::ostream* out) {
  *out << "{" << read.index << ", \"" << read.context << "\"}";
}

}  // namespace quokka::consensus

namespace quokka::testing {

using consensus::ConfChange;
using consensus::ConfChangeType;
using consensus::Message;
using consensus::MessageType;
using consensus::RaftOptions;
using consensus::ReadState;
using consensus::Role;

// Entries at indexes 1, 2, ... with the given terms, as in the paper's
// figures, each with a payload naming its position.
inline std::vector<LogEntry> entries_with_terms(std::initializer_list<uint64_t> terms) {
  std::vector<LogEntry> entries;
  uint64_t index = 0;
  for (uint64_t term : terms) {
    ++index;
    entries.push_back(LogEntry{LogIndex(index), Term(term), EntryType::kNormal,
                               "e" + std::to_string(index) + "t" + std::to_string(term)});
  }
  return entries;
}

inline std::vector<uint64_t> terms_of(const std::vector<LogEntry>& entries) {
  std::vector<uint64_t> terms;
  for (const LogEntry& entry : entries) terms.push_back(entry.term.value());
  return terms;
}

// The options of the Raft paper (§5) without the thesis's additions, for the
// tests pinned to the paper's figures.
inline void paper_raft(RaftOptions& options) {
  options.pre_vote = false;
  options.check_quorum = false;
}

inline auto of_type(std::initializer_list<MessageType> types) {
  std::vector<MessageType> wanted(types);
  return [wanted](const Message& m) {
    for (MessageType type : wanted) {
      if (m.type == type) return true;
    }
    return false;
  };
}

inline bool is_election_traffic(const Message& m) {
  return m.type == MessageType::kVote || m.type == MessageType::kVoteResponse ||
         m.type == MessageType::kPreVote || m.type == MessageType::kPreVoteResponse;
}

inline size_t count_type(const std::vector<Delivery>& deliveries, MessageType type) {
  size_t count = 0;
  for (const Delivery& d : deliveries) {
    if (d.message.type == type) ++count;
  }
  return count;
}

// Every test ends by checking that the harness saw no breach of the Ready
// ordering rule or of apply order.
class RaftTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (cluster_ == nullptr) return;
    for (const std::string& violation : cluster_->violations()) {
      ADD_FAILURE() << violation;
    }
  }

  TestCluster& make_cluster(size_t voters, TestCluster::OptionsHook options = {},
                            TestCluster::StorageHook storage = {}) {
    cluster_ = std::make_unique<TestCluster>(voters, std::move(options),
                                             std::move(storage));
    return *cluster_;
  }

  std::unique_ptr<TestCluster> cluster_;
};

}  // namespace quokka::testing
