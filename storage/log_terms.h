#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "common/types.h"

namespace quokka {

// The terms of a log's entries, as runs: the first index of each term.
// Terms change only when leadership does, so a log of any length has a few
// runs, and the term of an entry (which Raft asks for with every append and
// every acknowledgement) is found in memory instead of read from the store.
//
// It knows nothing of the log's bounds: its owner (StorageState) asks only
// about indexes inside the log. Copies share the runs until one of them
// changes (copy-on-write): storage state is copied by every reader, and an
// append in the current term changes nothing.
class LogTerms {
 public:
  // The term of the entry at `index`; nullopt before the first run.
  std::optional<Term> term_of(LogIndex index) const;

  // The entry at `index`, which follows the last one recorded, has `term`
  // (never lower than the last one's).
  void append(LogIndex index, Term term);
  // Entries from `index` on are gone (replaced by a conflicting append).
  void truncate_from(LogIndex index);
  // Entries through `index` are compacted away.
  void drop_through(LogIndex index);
  void clear();

  size_t run_count() const { return runs_ ? runs_->size() : 0; }
  bool operator==(const LogTerms& other) const;

 private:
  struct Run {
    LogIndex first;
    Term term;
    bool operator==(const Run&) const = default;
  };
  using Runs = std::vector<Run>;

  const Runs& runs() const;
  Runs& mutable_runs();

  std::shared_ptr<Runs> runs_;
};

}  // namespace quokka
