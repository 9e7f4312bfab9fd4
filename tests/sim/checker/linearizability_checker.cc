#include "tests/sim/checker/linearizability_checker.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "common/assert.h"
#include "tests/sim/checker/key_history.h"
#include "tests/sim/checker/register_search.h"

namespace quokka::sim {

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kOk:
      return "ok";
    case Verdict::kViolation:
      return "violation";
    case Verdict::kUnknown:
      return "unknown";
    case Verdict::kInvalidHistory:
      return "invalid history";
  }
  return "?";
}

namespace {

// What setting a search up costs, in steps per operation (sorting the
// events, allocating the memo): measured roughly.
constexpr uint64_t kSetupStepsPerOperation = 8;
// Steps the search without pruning may take to explain a witness.
constexpr uint64_t kExplainStepsMin = 100'000;
// Operations of a witness listed in an explanation; the rest are counted.
constexpr size_t kExplainedOperationsMax = 40;

// Shrinks a non-linearizable KeyHistory to a small one that is still not
// linearizable and whose non-linearizability implies the original's. Only
// two kinds of change qualify:
//   - cutting the history at a tick T: operations invoked after T go, and
//     writes still running at T become optional (linearizability is closed
//     under prefixes; reads still running at T go);
//   - leaving out an operation that cannot make a linearizable history
//     non-linearizable by its absence: a read, a CAS_MISMATCH, and, when no
//     CAS remains, a write that no remaining read saw (a Delete: when no
//     remaining read saw the key absent).
class Shrinker {
 public:
  Shrinker(const CheckOptions& options, uint64_t& steps_used)
      : options_(options), steps_used_(steps_used) {}

  KeyHistory shrink(KeyHistory history, int32_t blocking_operation) {
    history = cut_after(history, blocking_operation);
    for (size_t chunk = std::max<size_t>(1, history.operations.size() / 2);;) {
      const std::vector<int32_t> removable = removable_operations(history);
      if (removable.empty()) break;
      chunk = std::min(chunk, removable.size());
      bool shrunk = false;
      for (size_t start = 0; start < removable.size() && !exhausted();
           start += chunk) {
        std::vector<bool> keep(history.operations.size(), true);
        const size_t end = std::min(removable.size(), start + chunk);
        for (size_t r = start; r < end; ++r) {
          keep[static_cast<size_t>(removable[r])] = false;
        }
        KeyHistory trial = restrict_key_history(
            history, keep, std::vector<bool>(keep.size(), false));
        const SearchResult result = search(trial);
        if (result.kind == SearchResult::Kind::kNotLinearizable) {
          history = cut_after(trial, result.blocking_operation);
          shrunk = true;
          break;
        }
      }
      if (exhausted()) break;
      if (!shrunk) {
        if (chunk == 1) break;
        chunk /= 2;
      }
    }
    return history;
  }

 private:
  bool exhausted() const { return steps_used_ >= options_.shrink_steps_max; }

  SearchResult search(const KeyHistory& history) {
    SearchLimits limits;
    limits.steps_max =
        std::min(options_.search_steps_per_key_max,
                 options_.shrink_steps_max - std::min(options_.shrink_steps_max,
                                                      steps_used_));
    limits.memo_bytes_max = options_.search_memo_bytes_per_key_max;
    SearchResult result = search_linearization(history, limits);
    // Setting a search up costs too; count it, so
    // that many trials on a long history stay within the budget too.
    steps_used_ += result.steps + kSetupStepsPerOperation * history.operations.size();
    return result;
  }

  // The prefix of `history` up to tick `cut_tick`: operations invoked later
  // go, writes still running become optional, reads still running go.
  static KeyHistory prefix_until(const KeyHistory& history, uint64_t cut_tick) {
    std::vector<bool> keep(history.operations.size(), false);
    std::vector<bool> make_optional(history.operations.size(), false);
    for (size_t i = 0; i < history.operations.size(); ++i) {
      const KeyOperation& op = history.operations[i];
      const bool running_at_cut = op.required && op.complete_tick > cut_tick;
      const bool is_read =
          op.step == Step::kRead || op.step == Step::kCasMismatch;
      keep[i] = op.invoke_tick <= cut_tick && !(running_at_cut && is_read);
      make_optional[i] = keep[i] && running_at_cut;
    }
    return restrict_key_history(history, keep, make_optional);
  }

  // The shortest prefix of `history` (cut at a completion) that is still
  // not linearizable, searched from the completion of `blocking_operation`
  // onwards: first in growing steps, then by bisection. Prefixes of a
  // linearizable history are linearizable, so the answer is monotone in
  // the cut. The pruned search may block at a write that a later read
  // condemned, which is why the first cut is not simply taken.
  KeyHistory cut_after(const KeyHistory& history, int32_t blocking_operation) {
    if (blocking_operation < 0) return history;
    std::vector<uint64_t> cuts;
    for (const KeyOperation& op : history.operations) {
      if (op.required) cuts.push_back(op.complete_tick);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    const uint64_t first_cut =
        history.operations[static_cast<size_t>(blocking_operation)]
            .complete_tick;
    const size_t start = static_cast<size_t>(
        std::lower_bound(cuts.begin(), cuts.end(), first_cut) - cuts.begin());
    auto fails = [&](size_t index, KeyHistory& out) {
      out = prefix_until(history, cuts[index]);
      return search(out).kind == SearchResult::Kind::kNotLinearizable;
    };
    KeyHistory best = history;
    KeyHistory trial;
    // The highest cut known to pass, and the lowest known to fail
    // (cuts.size(): the whole history).
    std::optional<size_t> passes;
    size_t fails_from = cuts.size();
    for (size_t stride = 1; !exhausted(); stride *= 2) {
      const size_t index = start + stride - 1;
      if (index >= cuts.size()) break;
      if (fails(index, trial)) {
        fails_from = index;
        best = std::move(trial);
        break;
      }
      passes = index;
    }
    if (!passes.has_value()) return best;
    size_t low = *passes;
    while (low + 1 < fails_from && !exhausted()) {
      const size_t middle = low + (fails_from - low) / 2;
      if (fails(middle, trial)) {
        fails_from = middle;
        best = std::move(trial);
      } else {
        low = middle;
      }
    }
    return best;
  }

  static std::vector<int32_t> removable_operations(const KeyHistory& history) {
    bool has_compare_and_swap = false;
    bool has_absent_read = false;
    std::vector<bool> read(history.operations.size(), false);
    for (const KeyOperation& op : history.operations) {
      if (op.step == Step::kCompareAndSwap || op.step == Step::kCasMismatch) {
        has_compare_and_swap = true;
      }
      if (op.step != Step::kRead) continue;
      if (op.read_state == kAbsentState) has_absent_read = true;
      if (op.read_state >= 0) read[static_cast<size_t>(op.read_state)] = true;
    }
    std::vector<int32_t> removable;
    for (size_t i = 0; i < history.operations.size(); ++i) {
      const KeyOperation& op = history.operations[i];
      bool can_remove = false;
      switch (op.step) {
        case Step::kRead:
        case Step::kCasMismatch:
          can_remove = true;
          break;
        case Step::kWrite:
          can_remove = !has_compare_and_swap && !read[i];
          break;
        case Step::kDelete:
          can_remove = !has_compare_and_swap && !has_absent_read;
          break;
        case Step::kCompareAndSwap:
          break;
      }
      if (can_remove) removable.push_back(static_cast<int32_t>(i));
    }
    return removable;
  }

  const CheckOptions& options_;
  uint64_t& steps_used_;
};

std::string key_label(const std::string& key) {
  return key.empty() ? std::string("across keys") : "key " + quote_value(key);
}

std::string describe_holder(const History& history, const KeyHistory& key,
                            int32_t holder) {
  if (holder == kAbsentState) return "the key is absent";
  const size_t index =
      key.operations[static_cast<size_t>(holder)].history_index;
  return fmt::format("the key holds {} from #{}",
                     quote_value(history[index].value), index);
}

CheckResult explain_violation(const History& history,
                              const KeyHistory& original,
                              const KeyHistory& witness,
                              const SearchResult& search,
                              CheckStatistics statistics) {
  CheckResult result;
  result.verdict = Verdict::kViolation;
  result.key = original.key;
  result.statistics = statistics;
  std::string& text = result.explanation;
  text = fmt::format(
      "{}: not linearizable. These {} of its {} operations already have no "
      "linearization (the checker set aside reads and unobserved writes not "
      "needed to show it, and what happened after it):\n",
      key_label(original.key), witness.operations.size(),
      original.operations.size() + original.dropped_count);
  // A long witness (shrinking ran out of budget) is listed from the end,
  // where the search failed.
  const size_t listed_from =
      witness.operations.size() > kExplainedOperationsMax
          ? witness.operations.size() - kExplainedOperationsMax
          : 0;
  if (listed_from > 0) {
    text += fmt::format("  ... {} earlier operations (in `operations`)\n",
                        listed_from);
  }
  for (const KeyOperation& op : witness.operations) {
    result.operations.push_back(op.history_index);
  }
  for (size_t i = listed_from; i < witness.operations.size(); ++i) {
    const KeyOperation& op = witness.operations[i];
    const Operation& operation = history[op.history_index];
    text += "  " + describe_operation(op.history_index, operation);
    if (!op.required && operation.outcome == Outcome::kOk) {
      text += "  (completes after the violation; may or may not have taken "
              "effect by then)";
    }
    text += "\n";
  }
  // Replay the longest order found to say what the key held after it.
  int32_t holder = kAbsentState;
  std::vector<std::string> order;
  const size_t shown_from =
      search.longest_prefix.size() > kExplainedOperationsMax
          ? search.longest_prefix.size() - kExplainedOperationsMax
          : 0;
  if (shown_from > 0) order.push_back(fmt::format("({} more)", shown_from));
  for (size_t i = 0; i < search.longest_prefix.size(); ++i) {
    const KeyOperation& op = witness.operations[static_cast<size_t>(
        search.longest_prefix[i])];
    if (i >= shown_from) {
      order.push_back(fmt::format("#{}", op.history_index));
    }
    if (op.step == Step::kWrite || op.step == Step::kCompareAndSwap) {
      holder = search.longest_prefix[i];
    } else if (op.step == Step::kDelete) {
      holder = kAbsentState;
    }
  }
  if (order.empty()) {
    text += "No operation can be linearized first";
  } else {
    text += fmt::format("The longest order found is {} (after it {})",
                        fmt::format("{}", fmt::join(order, ", ")),
                        describe_holder(history, witness, holder));
  }
  if (search.blocking_operation >= 0) {
    const KeyOperation& blocked =
        witness.operations[static_cast<size_t>(search.blocking_operation)];
    text += fmt::format(
        "; no order lets #{} take effect by its completion at tick {}.",
        blocked.history_index, blocked.complete_tick);
  } else {
    text += ".";
  }
  return result;
}

}  // namespace

CheckResult check_linearizability(const History& history,
                                  const CheckOptions& options) {
  CheckResult result;
  CheckStatistics& statistics = result.statistics;
  statistics.operations = history.size();

  Partition partition = partition_history(history);
  if (partition.finding.has_value()) {
    Finding& finding = *partition.finding;
    const bool invalid = finding.kind == Finding::Kind::kInvalidHistory;
    result.verdict = invalid ? Verdict::kInvalidHistory : Verdict::kViolation;
    result.key = finding.key;
    result.explanation = fmt::format(
        "{}: {}{}", key_label(finding.key),
        invalid ? "the history breaks a precondition of the checker: "
                : "not linearizable: ",
        finding.explanation);
    result.operations = std::move(finding.operations);
    std::sort(result.operations.begin(), result.operations.end(),
              [&](size_t a, size_t b) {
                return history[a].invoke_tick < history[b].invoke_tick ||
                       (history[a].invoke_tick == history[b].invoke_tick &&
                        a < b);
              });
    return result;
  }
  statistics.keys = partition.keys.size();

  SearchLimits limits;
  limits.steps_max = options.search_steps_per_key_max;
  limits.memo_bytes_max = options.search_memo_bytes_per_key_max;
  std::vector<std::string> undecided;
  std::vector<std::string> undecided_keys;
  for (const KeyHistory& key : partition.keys) {
    statistics.operations_searched += key.operations.size();
    const SearchResult search = search_linearization(key, limits);
    statistics.search_steps += search.steps;
    statistics.search_steps_key_max =
        std::max(statistics.search_steps_key_max, search.steps);
    statistics.memo_bytes_key_max =
        std::max(statistics.memo_bytes_key_max, search.memo_bytes);
    switch (search.kind) {
      case SearchResult::Kind::kLinearizable:
        break;
      case SearchResult::Kind::kLimitReached:
        undecided.push_back(fmt::format("{} ({} operations): {}",
                                        key_label(key.key),
                                        key.operations.size(),
                                        search.limit_reached));
        undecided_keys.push_back(key.key);
        break;
      case SearchResult::Kind::kNotLinearizable: {
        Shrinker shrinker(options, statistics.shrink_steps);
        const KeyHistory witness =
            shrinker.shrink(key, search.blocking_operation);
        SearchLimits explain_limits = limits;
        explain_limits.explain = true;
        explain_limits.steps_max = std::min(
            limits.steps_max,
            std::max(options.shrink_steps_max, kExplainStepsMin));
        SearchResult explained = search_linearization(witness, explain_limits);
        // Without its pruning rules the search may run out of steps on a
        // large witness; the explanation is then less pointed, not wrong.
        if (explained.kind != SearchResult::Kind::kNotLinearizable) {
          explained = search_linearization(witness, limits);
        }
        // The witness was verified to be non-linearizable within these very
        // limits (or it is the key's whole history, which was too).
        QUOKKA_ASSERT(explained.kind == SearchResult::Kind::kNotLinearizable,
                      "the violation witness of {} became decidable "
                      "differently on a rerun",
                      key_label(key.key));
        return explain_violation(history, key, witness, explained, statistics);
      }
    }
  }
  if (!undecided.empty()) {
    result.verdict = Verdict::kUnknown;
    if (undecided_keys.size() == 1) result.key = undecided_keys.front();
    result.explanation = fmt::format(
        "no verdict: no violation was found, but the search of {} key(s) hit "
        "its limits (raise CheckOptions limits, or spread the workload over "
        "more keys or make it less concurrent):\n  {}",
        undecided.size(), fmt::join(undecided, "\n  "));
    return result;
  }
  return result;
}

}  // namespace quokka::sim
