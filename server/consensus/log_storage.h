#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "server/consensus/snapshot.h"
#include "storage/log_entry.h"

namespace quokka::consensus {

// What the core reads of the durable log (etcd-raft's Storage). The core
// never writes it: the application persists what a Ready hands out, then
// calls advance(). The log holds entries [first_index(), last_index()];
// everything before has been folded into snapshot().
//
// Contract: the core only reads; every read is of state the application has
// already persisted (or was given at start). Errors are operating errors
// (I/O); the core treats an error reading what must be there as fatal.
class LogStorage {
 public:
  virtual ~LogStorage() = default;

  // The hard state and configuration as persisted: the node restarts from
  // these. The configuration is the latest snapshot's; the core replays the
  // kConfChange entries of the log on top of it.
  virtual HardState hard_state() const = 0;
  virtual ConfState snapshot_conf_state() const = 0;

  // When the log is empty, first_index() == last_index() + 1.
  virtual LogIndex first_index() const = 0;
  virtual LogIndex last_index() const = 0;

  // The term of the entry at `index`, for index in
  // [first_index() - 1, last_index()] (first_index() - 1 is the snapshot's
  // last entry). NOT_FOUND, naming the valid range, for any other index.
  virtual Result<Term> term_at(LogIndex index) const = 0;

  // Entries [lo, hi), stopping before their total byte_size() would exceed
  // `bytes_max` but always returning at least one entry when lo < hi.
  // Requires first_index() <= lo <= hi <= last_index() + 1; NOT_FOUND
  // naming the valid range otherwise.
  virtual Result<std::vector<LogEntry>> entries(LogIndex lo, LogIndex hi,
                                                uint64_t bytes_max) const = 0;

  // The latest snapshot, to send to a follower that lags behind
  // first_index(). An empty Snapshot when there is none.
  virtual Result<Snapshot> snapshot() const = 0;
};

}  // namespace quokka::consensus
