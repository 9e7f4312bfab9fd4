#include "storage/log_terms.h"

#include <gtest/gtest.h>

#include <map>

#include "common/deterministic_random.h"

namespace quokka::testing {
namespace {

// Against a plain map of every entry's term, through random appends,
// conflicts and compactions, as Raft makes them (terms never go back).
TEST(LogTermsTest, MatchesTheTermOfEveryEntryThroughAppendsConflictsAndCompactions) {
  DeterministicRandom random(11);
  LogTerms terms;
  std::map<uint64_t, uint64_t> model;  // index -> term, the whole live log
  uint64_t first = 1;
  uint64_t last = 0;
  uint64_t term = 1;
  for (int step = 0; step < 5000; ++step) {
    const uint64_t action = random.below(10);
    if (action < 6) {
      if (random.below(4) == 0) ++term;
      ++last;
      terms.append(LogIndex(last), Term(term));
      model[last] = term;
    } else if (action < 8 && last >= first) {
      // A leader of a later term replaces a suffix.
      const uint64_t from = random.between(first, last);
      terms.truncate_from(LogIndex(from));
      model.erase(model.lower_bound(from), model.end());
      last = from - 1;
    } else if (last >= first) {
      const uint64_t through = random.between(first - 1, last);
      terms.drop_through(LogIndex(through));
      model.erase(model.begin(), model.upper_bound(through));
      first = through + 1;
    }
    LogTerms copy = terms;  // copies share until one changes
    for (const auto& [index, expected] : model) {
      ASSERT_EQ(terms.term_of(LogIndex(index)), std::optional<Term>(Term(expected)))
          << "entry " << index << " at step " << step;
    }
    ASSERT_TRUE(copy == terms);
  }
  // Few runs however long the history: one per term still in the log.
  EXPECT_LE(terms.run_count(), term);
}

TEST(LogTermsTest, ACopyKeepsItsTermsWhenTheOriginalChanges) {
  LogTerms terms;
  terms.append(LogIndex(1), Term(1));
  terms.append(LogIndex(2), Term(2));
  LogTerms copy = terms;
  terms.truncate_from(LogIndex(2));
  terms.append(LogIndex(2), Term(3));
  EXPECT_EQ(copy.term_of(LogIndex(2)), std::optional<Term>(Term(2)));
  EXPECT_EQ(terms.term_of(LogIndex(2)), std::optional<Term>(Term(3)));
  EXPECT_FALSE(copy == terms);
}

TEST(LogTermsTest, AnIndexBeforeEveryRunHasNoTerm) {
  LogTerms terms;
  EXPECT_EQ(terms.term_of(LogIndex(1)), std::nullopt);
  terms.append(LogIndex(5), Term(2));
  EXPECT_EQ(terms.term_of(LogIndex(4)), std::nullopt);
  EXPECT_EQ(terms.term_of(LogIndex(5)), std::optional<Term>(Term(2)));
}

}  // namespace
}  // namespace quokka::testing
