#pragma once

#include <cstddef>
#include <functional>

#include "common/status.h"
#include "storage/kv_store.h"
#include "storage/log_entry.h"

namespace quokka {

// Whether a walk of the log goes on after the entry just visited.
enum class LogWalkStep : bool { kStop = false, kContinue = true };

// Where a walk of the log ended: `next` follows the last entry visited.
// `gap` says the walk ended because entry `next` was not in the log,
// which the caller reads as corruption (at open) or as a concurrent
// compaction (a read racing a commit).
struct LogWalkEnd {
  LogIndex next;
  bool gap = false;
};

// Visits the log's entries lo, lo + 1, ..., hi - 1 in order, reading at
// most `page_entries` records at a time, so a walk that stops early reads
// little more than it visited. Stops at the first missing index, at an
// error from `visit`, or when `visit` says kStop. An entry that cannot be
// decoded is kCorrupt.
Result<LogWalkEnd> walk_log(const KvReader& reader, LogIndex lo, LogIndex hi,
                            size_t page_entries,
                            const std::function<Result<LogWalkStep>(LogEntry&&)>& visit);

}  // namespace quokka
