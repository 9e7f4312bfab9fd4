#include "server/consensus/message.h"

#include <fmt/format.h>

namespace quokka::consensus {

std::string_view message_type_name(MessageType type) {
  switch (type) {
    case MessageType::kVote: return "Vote";
    case MessageType::kVoteResponse: return "VoteResponse";
    case MessageType::kPreVote: return "PreVote";
    case MessageType::kPreVoteResponse: return "PreVoteResponse";
    case MessageType::kAppend: return "Append";
    case MessageType::kAppendResponse: return "AppendResponse";
    case MessageType::kHeartbeat: return "Heartbeat";
    case MessageType::kHeartbeatResponse: return "HeartbeatResponse";
    case MessageType::kSnapshot: return "Snapshot";
    case MessageType::kSnapshotStatus: return "SnapshotStatus";
    case MessageType::kReadIndex: return "ReadIndex";
    case MessageType::kReadIndexResponse: return "ReadIndexResponse";
    case MessageType::kTimeoutNow: return "TimeoutNow";
  }
  return "Unknown";
}

uint64_t Message::entries_bytes() const {
  uint64_t total = 0;
  for (const LogEntry& entry : entries) total += entry.byte_size();
  return total;
}

std::string describe(const Message& m) {
  std::string out = fmt::format("{} {}->{} term={}", message_type_name(m.type),
                                m.from.value(), m.to.value(), m.term.value());
  switch (m.type) {
    case MessageType::kVote:
    case MessageType::kPreVote:
      out += fmt::format(" last={}@{}", m.index.value(), m.log_term.value());
      if (!m.context.empty()) out += " transfer";
      break;
    case MessageType::kAppend: {
      out += fmt::format(" prev={}@{} commit={} entries=[", m.index.value(),
                         m.log_term.value(), m.commit.value());
      for (size_t i = 0; i < m.entries.size(); ++i) {
        if (i > 0) out += ' ';
        out += fmt::format("{}@{}", m.entries[i].index.value(),
                           m.entries[i].term.value());
      }
      out += ']';
      break;
    }
    case MessageType::kAppendResponse:
      out += fmt::format(" index={}", m.index.value());
      if (m.reject) {
        out += fmt::format(" reject hint={}@{}", m.reject_hint.value(),
                           m.reject_hint_term.value());
      }
      break;
    case MessageType::kHeartbeat:
      out += fmt::format(" commit={}", m.commit.value());
      break;
    case MessageType::kSnapshot:
      if (m.snapshot) {
        out += fmt::format(" snapshot={}@{}", m.snapshot->metadata.last.index.value(),
                           m.snapshot->metadata.last.term.value());
      }
      break;
    case MessageType::kReadIndexResponse:
      out += fmt::format(" index={}", m.index.value());
      break;
    case MessageType::kVoteResponse:
    case MessageType::kPreVoteResponse:
    case MessageType::kHeartbeatResponse:
    case MessageType::kSnapshotStatus:
    case MessageType::kReadIndex:
    case MessageType::kTimeoutNow:
      break;
  }
  if (m.reject && m.type != MessageType::kAppendResponse) out += " reject";
  if (!m.context.empty() && m.type != MessageType::kVote &&
      m.type != MessageType::kPreVote) {
    out += " ctx";
  }
  return out;
}

}  // namespace quokka::consensus
