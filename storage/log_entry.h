#pragma once

#include <cstdint>
#include <string>

#include "common/types.h"

namespace quokka {

// What a Raft log entry carries; consensus and the node give it meaning.
enum class EntryType : uint8_t {
  kNormal = 0,      // an application command (a pointer change)
  kConfChange = 1,  // a membership change
};

struct LogEntry {
  LogIndex index;
  Term term;
  EntryType type = EntryType::kNormal;
  std::string data;

  // What the entry counts for against a byte budget.
  uint64_t byte_size() const { return data.size() + kOverheadBytes; }

  bool operator==(const LogEntry&) const = default;

  // Index, term and type as stored; keeps tiny entries from counting as free.
  static constexpr uint64_t kOverheadBytes = 17;
};

// An index together with the term of the entry at that index.
struct LogPosition {
  LogIndex index;
  Term term;
  bool operator==(const LogPosition&) const = default;
};

// Raft's persistent per-node state besides the log (Raft Figure 2).
struct HardState {
  Term term;         // the latest term this node has seen
  NodeId vote;       // whom it voted for in `term`; NodeId(0) for nobody
  LogIndex commit;   // the highest index known to be committed
  bool operator==(const HardState&) const = default;
};

}  // namespace quokka
