#include "storage/log_terms.h"

#include <algorithm>

#include "common/assert.h"

namespace quokka {

const LogTerms::Runs& LogTerms::runs() const {
  static const Runs kNone;
  return runs_ ? *runs_ : kNone;
}

LogTerms::Runs& LogTerms::mutable_runs() {
  // Shared with a copy: change a copy of our own.
  if (!runs_) {
    runs_ = std::make_shared<Runs>();
  } else if (runs_.use_count() > 1) {
    runs_ = std::make_shared<Runs>(*runs_);
  }
  return *runs_;
}

std::optional<Term> LogTerms::term_of(LogIndex index) const {
  const Runs& all = runs();
  auto after = std::upper_bound(all.begin(), all.end(), index,
                                [](LogIndex i, const Run& run) { return i < run.first; });
  if (after == all.begin()) return std::nullopt;
  return std::prev(after)->term;
}

void LogTerms::append(LogIndex index, Term term) {
  const Runs& all = runs();
  if (!all.empty()) {
    QUOKKA_ASSERT(all.back().first <= index, "entry {} appended before run start {}",
                  index.value(), all.back().first.value());
    if (all.back().term == term) return;
    if (all.back().first == index) {
      // A run left holding no entry (everything compacted up to it).
      mutable_runs().back().term = term;
      return;
    }
    QUOKKA_ASSERT(all.back().term < term, "entry {} goes back from term {} to {}",
                  index.value(), all.back().term.value(), term.value());
  }
  mutable_runs().push_back(Run{index, term});
}

void LogTerms::truncate_from(LogIndex index) {
  const Runs& all = runs();
  auto first_gone = std::lower_bound(all.begin(), all.end(), index,
                                     [](const Run& run, LogIndex i) { return run.first < i; });
  if (first_gone == all.end()) return;
  const auto keep = first_gone - all.begin();
  Runs& changed = mutable_runs();
  changed.erase(changed.begin() + keep, changed.end());
}

void LogTerms::drop_through(LogIndex index) {
  const LogIndex first_kept(index.value() + 1);
  const Runs& all = runs();
  // Runs that end at or before `index` go; the one holding first_kept
  // starts there.
  size_t drop = 0;
  while (drop + 1 < all.size() && all[drop + 1].first <= first_kept) ++drop;
  const bool trim = drop < all.size() && all[drop].first < first_kept;
  if (drop == 0 && !trim) return;
  Runs& changed = mutable_runs();
  changed.erase(changed.begin(), changed.begin() + static_cast<long>(drop));
  if (trim) changed.front().first = first_kept;
}

void LogTerms::clear() { runs_.reset(); }

bool LogTerms::operator==(const LogTerms& other) const { return runs() == other.runs(); }

}  // namespace quokka
