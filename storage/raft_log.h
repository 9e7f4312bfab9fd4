#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "storage/log_entry.h"

namespace quokka {

// Read side of the durable Raft log and hard state. The log holds the
// entries [first_index, last_index]; everything before first_index has been
// compacted into a snapshot whose last position is compacted_through().
// Entries change through a WriteBatch (append, compact, restore).
//
// Thread safety: every method may be called from any thread, concurrently
// with commits; a commit's effects become visible all at once.
class RaftLog {
 public:
  virtual ~RaftLog() = default;

  // The first entry still in the log. When the log is empty,
  // first_index() == last_index() + 1.
  virtual LogIndex first_index() const = 0;
  virtual LogIndex last_index() const = 0;

  // The last entry folded into the snapshot: index first_index() - 1 and its
  // term. {0, 0} when nothing has been compacted.
  virtual LogPosition compacted_through() const = 0;

  // The term of the entry at `index`, for index in
  // [first_index() - 1, last_index()]. NOT_FOUND, naming the valid range,
  // for any other index.
  virtual Result<Term> term_at(LogIndex index) const = 0;

  // Entries [lo, hi), stopping before the total byte_size() would exceed
  // `bytes_max`, except that the first entry is always returned so a caller
  // can make progress with any entry. Requires first_index() <= lo <= hi <=
  // last_index() + 1; otherwise NOT_FOUND naming the valid range.
  virtual Result<std::vector<LogEntry>> entries(LogIndex lo, LogIndex hi,
                                                uint64_t bytes_max) const = 0;

  virtual HardState hard_state() const = 0;
};

}  // namespace quokka
