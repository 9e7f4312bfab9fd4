#include "tests/sim/checker/register_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "common/assert.h"
#include "tests/sim/checker/visited_set.h"

namespace quokka::sim {
namespace {

// The events of the required operations live in one doubly linked list in
// time order. Node 0 is the head; required operation j has its call at node
// 1 + 2j and its return at node 2 + 2j. Optional operations have no events:
// they never force anything, and the search offers them separately.
constexpr int32_t kHead = 0;
constexpr int32_t kEnd = -1;

int32_t call_node(int32_t operation) { return 1 + 2 * operation; }
int32_t return_node(int32_t operation) { return 2 + 2 * operation; }
bool is_call(int32_t node) { return node % 2 == 1; }
int32_t operation_of(int32_t node) { return (node - 1) / 2; }

uint64_t zobrist(uint64_t operation) {
  // SplitMix64 of the index: a fixed random word per operation.
  uint64_t z = (operation + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class EventList {
 public:
  explicit EventList(const KeyHistory& history) {
    const auto count = static_cast<int32_t>(history.operations.size());
    next_.assign(static_cast<size_t>(2 * count + 1), kEnd);
    previous_.assign(static_cast<size_t>(2 * count + 1), kEnd);
    // (tick, calls before returns at one tick, node): an operation that
    // completes at the tick another is invoked is concurrent with it.
    std::vector<std::tuple<uint64_t, int, int32_t>> events;
    events.reserve(static_cast<size_t>(2 * count));
    for (int32_t j = 0; j < count; ++j) {
      const KeyOperation& op = history.operations[static_cast<size_t>(j)];
      if (!op.required) continue;
      events.emplace_back(op.invoke_tick, 0, call_node(j));
      events.emplace_back(op.complete_tick, 1, return_node(j));
    }
    std::sort(events.begin(), events.end());
    int32_t last = kHead;
    for (const auto& event : events) {
      const int32_t node = std::get<2>(event);
      next_[static_cast<size_t>(last)] = node;
      previous_[static_cast<size_t>(node)] = last;
      last = node;
    }
  }

  int32_t next(int32_t node) const { return next_[static_cast<size_t>(node)]; }

  // Dancing links: a removed node keeps its own links, so nodes restored in
  // the reverse order of their removal go back exactly where they were.
  void remove(int32_t node) {
    const int32_t before = previous_[static_cast<size_t>(node)];
    const int32_t after = next_[static_cast<size_t>(node)];
    next_[static_cast<size_t>(before)] = after;
    if (after != kEnd) previous_[static_cast<size_t>(after)] = before;
  }
  void restore(int32_t node) {
    const int32_t before = previous_[static_cast<size_t>(node)];
    const int32_t after = next_[static_cast<size_t>(node)];
    next_[static_cast<size_t>(before)] = node;
    if (after != kEnd) previous_[static_cast<size_t>(after)] = node;
  }

 private:
  std::vector<int32_t> next_;
  std::vector<int32_t> previous_;
};

// The register of one key: which write's value it holds (or absent), and
// the highest revision known to be applied so far. The latter is a function
// of the linearized set, so the memo need not hold it.
struct RegisterState {
  int32_t holder = kAbsentState;
  uint64_t revision_max = 0;
  // The last operation linearized is optional and nothing has observed it
  // yet (see Search::step).
  bool needs_observer = false;

  // What the memo keeps besides the linearized set.
  int32_t memo_key() const {
    return (holder + 2) * 2 + (needs_observer ? 1 : 0);
  }
};

bool preserves_state(const KeyOperation& op) {
  return op.step == Step::kRead || op.step == Step::kCasMismatch;
}

bool changes_state(const KeyOperation& op) { return !preserves_state(op); }

// Where a level of the search goes on after a choice failed: the required
// operations are offered first, in list order, then the optional ones.
enum class Phase : uint8_t { kRequired, kOptional };

struct Frame {
  int32_t operation;
  RegisterState before;
  Phase phase;
  // kOptional: the position of the operation among the optional candidates.
  size_t optional_position;
  // Linearized without alternatives (see Search::run), so when everything
  // after it fails, the level it was chosen at fails too.
  bool forced;
};

class Search {
 public:
  Search(const KeyHistory& history, const SearchLimits& limits)
      : history_(history),
        limits_(limits),
        prune_(!limits.explain),
        count_(static_cast<int32_t>(history.operations.size())),
        events_(history),
        linearized_(
            std::max<size_t>(1, (static_cast<size_t>(count_) + 63) / 64), 0),
        visited_(linearized_.size()),
        unread_(static_cast<size_t>(count_), 0) {
    for (int32_t j = 0; j < count_; ++j) {
      const KeyOperation& op = at(j);
      if (op.required) ++required_left_;
      if (op.step == Step::kRead && op.read_state >= 0) {
        ++unread_[static_cast<size_t>(op.read_state)];
      }
      if (op.required && op.revision != 0 && changes_state(op)) {
        revision_order_.push_back(op.revision);
      }
    }
    std::sort(revision_order_.begin(), revision_order_.end());
    assign_symmetry_classes();
    assign_bits();
    stack_.reserve(static_cast<size_t>(count_));
  }

  SearchResult run();

 private:
  const KeyOperation& at(int32_t j) const {
    return history_.operations[static_cast<size_t>(j)];
  }

  // Optional writes that no read saw and whose revision is unknown are
  // interchangeable when they do the same thing (Put; Delete; CAS expecting
  // one revision): once invoked, none has a deadline, no read tells them
  // apart, and they match the same CASes. Linearizing the k-th of a class
  // instead of the first leads to the same futures, so only the first
  // unlinearized one of each class is offered. The other optional
  // operations are offered one by one.
  void assign_symmetry_classes() {
    std::map<std::pair<Step, uint64_t>, int32_t> classes;
    for (int32_t j = 0; j < count_; ++j) {
      const KeyOperation& op = at(j);
      if (op.required) continue;
      if (op.revision != 0 || unread_[static_cast<size_t>(j)] > 0) {
        unclassed_optional_.push_back(j);
        continue;
      }
      const uint64_t expected =
          op.step == Step::kCompareAndSwap ? op.expected_revision : 0;
      const auto [it, inserted] =
          classes.emplace(std::make_pair(op.step, expected),
                          static_cast<int32_t>(class_members_.size()));
      if (inserted) class_members_.emplace_back();
      class_members_[static_cast<size_t>(it->second)].push_back(j);
      class_of_.emplace(j, it->second);
    }
    class_linearized_.assign(class_members_.size(), 0);
  }

  void count_in_class(int32_t j, bool linearized) {
    const auto it = class_of_.find(j);
    if (it == class_of_.end()) return;
    size_t& done = class_linearized_[static_cast<size_t>(it->second)];
    done = linearized ? done + 1 : done - 1;
  }

  bool is_linearized(int32_t j) const {
    const uint32_t bit = bit_of_[static_cast<size_t>(j)];
    return (linearized_[bit / 64] >> (bit % 64)) & 1;
  }

  // The optional operations offered at the current level: those invoked no
  // later than `horizon_tick`, the tick of the first pending return.
  void optional_candidates(uint64_t horizon_tick, std::vector<int32_t>& out) {
    out.clear();
    for (const int32_t j : unclassed_optional_) {
      if (at(j).invoke_tick > horizon_tick) break;
      if (!is_linearized(j)) out.push_back(j);
    }
    for (size_t c = 0; c < class_members_.size(); ++c) {
      if (class_linearized_[c] == class_members_[c].size()) continue;
      const int32_t j = class_members_[c][class_linearized_[c]];
      if (at(j).invoke_tick <= horizon_tick) out.push_back(j);
    }
  }

  // Applies operation j to `state` if the model (and the pruning rules,
  // which only reject choices that cannot lead to a linearization) allow
  // it now.
  bool step(RegisterState& state, int32_t j) const {
    const KeyOperation& op = at(j);
    switch (op.step) {
      case Step::kRead:
        if (state.holder != op.read_state) return false;
        state.needs_observer = false;
        return true;
      case Step::kCasMismatch:
        if (!may_mismatch(state.holder, op)) return false;
        state.needs_observer = false;
        return true;
      case Step::kWrite:
      case Step::kDelete:
      case Step::kCompareAndSwap:
        break;
    }
    // An optional operation directly followed by a blind write (Put or
    // Delete) is never observed: dropping it gives a linearization too, and
    // the search tries that one anyway. So after an optional operation only
    // an observer may come: a read, a CAS_MISMATCH, or a CAS.
    if (state.needs_observer && op.step != Step::kCompareAndSwap) return false;
    state.needs_observer = !op.required;
    // Values are unique, so once the register leaves a value it never holds
    // it again: overwriting a value that a pending read still has to see
    // cannot lead anywhere.
    if (prune_ && state.holder >= 0 &&
        unread_[static_cast<size_t>(state.holder)] > 0) {
      return false;
    }
    if (op.step == Step::kDelete) {
      state.holder = kAbsentState;
      return true;
    }
    if (op.step == Step::kCompareAndSwap) {
      if (!revision_matches(state.holder, op)) return false;
      if (state.holder >= 0 && at(state.holder).revision == 0) {
        // The CAS tells the holder's revision: it is the expected one. It
        // must exceed the revisions applied before, stay below the next
        // required known revision, and bounds the revisions after it.
        if (op.expected_revision <= state.revision_max) return false;
        if (prune_ && revisions_done_ < revision_order_.size() &&
            op.expected_revision >= revision_order_[revisions_done_]) {
          return false;
        }
        state.revision_max = op.expected_revision;
      }
    }
    if (op.revision != 0) {
      // Revisions grow with every applied mutation. A write of known
      // revision may not pass a required write of a smaller one, which
      // could then never be linearized.
      if (op.revision <= state.revision_max) return false;
      if (prune_ && revisions_done_ < revision_order_.size() &&
          op.revision > revision_order_[revisions_done_]) {
        return false;
      }
      state.revision_max = op.revision;
    }
    state.holder = j;
    return true;
  }

  // Whether the key's mod_revision in state `holder` can be the CAS's
  // expected revision. A write of unknown revision may have any revision
  // that no other write is known to have.
  bool revision_matches(int32_t holder, const KeyOperation& op) const {
    if (holder == kAbsentState) return op.expected_revision == 0;
    if (op.expected_revision == 0) return false;
    const uint64_t revision = at(holder).revision;
    if (revision != 0) return revision == op.expected_revision;
    return !op.expected_claimed;
  }

  // Whether the key's mod_revision in state `holder` can differ from the
  // expected revision. Unknown revisions may (permissive by design).
  bool may_mismatch(int32_t holder, const KeyOperation& op) const {
    if (holder == kAbsentState) return op.expected_revision != 0;
    const uint64_t revision = at(holder).revision;
    if (revision != 0) return revision != op.expected_revision;
    return true;
  }

  void flip(int32_t j) {
    const uint32_t bit = bit_of_[static_cast<size_t>(j)];
    linearized_[bit / 64] ^= uint64_t{1} << (bit % 64);
    linearized_hash_ ^= zobrist(static_cast<uint64_t>(j));
  }

  // Required operations take the low bits in invoke order and optional ones
  // the high bits, so that the memo's prefix compression (see VisitedSet)
  // is not defeated by old indeterminate operations that never take effect.
  void assign_bits() {
    bit_of_.resize(static_cast<size_t>(count_));
    uint32_t next = 0;
    for (const bool required : {true, false}) {
      for (int32_t j = 0; j < count_; ++j) {
        if (at(j).required == required) bit_of_[static_cast<size_t>(j)] = next++;
      }
    }
  }

  // Tries to linearize j now, from state_. Returns false (and changes
  // nothing) if the model refuses or the resulting pair was visited.
  bool try_linearize(int32_t j, Phase phase, size_t optional_position,
                     bool forced) {
    RegisterState next = state_;
    if (!step(next, j)) return false;
    flip(j);
    if (!visited_.insert(linearized_.data(), linearized_hash_,
                         next.memo_key())) {
      flip(j);
      return false;
    }
    stack_.push_back({j, state_, phase, optional_position, forced});
    state_ = next;
    const KeyOperation& op = at(j);
    if (op.required) {
      events_.remove(call_node(j));
      events_.remove(return_node(j));
      --required_left_;
      if (op.revision != 0 && changes_state(op)) ++revisions_done_;
    } else {
      count_in_class(j, true);
    }
    if (op.step == Step::kRead && op.read_state >= 0) {
      --unread_[static_cast<size_t>(op.read_state)];
    }
    if (limits_.explain && stack_.size() > result_.longest_prefix.size()) {
      result_.longest_prefix.clear();
      for (const Frame& frame : stack_) {
        result_.longest_prefix.push_back(frame.operation);
      }
    }
    return true;
  }

  Frame undo_last() {
    const Frame frame = stack_.back();
    stack_.pop_back();
    state_ = frame.before;
    flip(frame.operation);
    const KeyOperation& op = at(frame.operation);
    if (op.step == Step::kRead && op.read_state >= 0) {
      ++unread_[static_cast<size_t>(op.read_state)];
    }
    if (op.required) {
      if (op.revision != 0 && changes_state(op)) --revisions_done_;
      ++required_left_;
      events_.restore(return_node(frame.operation));
      events_.restore(call_node(frame.operation));
    } else {
      count_in_class(frame.operation, false);
    }
    return frame;
  }

  SearchResult finish(SearchResult::Kind kind) {
    result_.kind = kind;
    result_.memo_entries = visited_.size();
    result_.memo_bytes = visited_.bytes();
    return std::move(result_);
  }

  void note_blocked(int32_t j) {
    if (result_.blocking_operation < 0 ||
        at(j).complete_tick > at(result_.blocking_operation).complete_tick) {
      result_.blocking_operation = j;
    }
  }

  // The first pending return event; one exists while required operations
  // are left.
  int32_t first_return() {
    int32_t node = events_.next(kHead);
    while (node != kEnd && is_call(node)) {
      ++result_.steps;
      node = events_.next(node);
    }
    QUOKKA_ASSERT(node != kEnd, "no return event with {} required operations "
                  "left", required_left_);
    return node;
  }

  // A read-like candidate that the current state allows, or -1.
  int32_t enabled_read() {
    for (int32_t node = events_.next(kHead); node != kEnd && is_call(node);
         node = events_.next(node)) {
      ++result_.steps;
      const int32_t j = operation_of(node);
      if (!preserves_state(at(j))) continue;
      RegisterState next = state_;
      if (step(next, j)) return j;
    }
    return -1;
  }

  std::optional<std::string> limit_reached() const {
    if (result_.steps >= limits_.steps_max) {
      return fmt::format("the search took {} steps without deciding (limit {})",
                         result_.steps, limits_.steps_max);
    }
    if (visited_.bytes() > limits_.memo_bytes_max) {
      return fmt::format(
          "the search memo grew to {} bytes without deciding (limit {})",
          visited_.bytes(), limits_.memo_bytes_max);
    }
    return std::nullopt;
  }

  const KeyHistory& history_;
  const SearchLimits& limits_;
  // The rules that reject a write early because of a read or write that
  // must come later. Off when explaining, so that the search fails at the
  // return of that later operation, which is the one a person blames.
  const bool prune_;
  const int32_t count_;
  EventList events_;
  // The linearized set, one bit per operation at bit_of_[operation].
  std::vector<uint64_t> linearized_;
  std::vector<uint32_t> bit_of_;
  uint64_t linearized_hash_ = 0;
  VisitedSet visited_;
  std::vector<Frame> stack_;
  RegisterState state_;
  int32_t required_left_ = 0;
  // For each write: how many reads of its value are not yet linearized.
  std::vector<uint32_t> unread_;
  // Known revisions of the required writes, ascending; the first
  // revisions_done_ of them are linearized (the rules above make them go in
  // this order).
  std::vector<uint64_t> revision_order_;
  size_t revisions_done_ = 0;
  // Optional operations outside any symmetry class, in invoke order.
  std::vector<int32_t> unclassed_optional_;
  // Symmetry classes: each class's members in invoke order, and how many of
  // them (always the first ones) are linearized.
  std::map<int32_t, int32_t> class_of_;
  std::vector<std::vector<int32_t>> class_members_;
  std::vector<size_t> class_linearized_;
  SearchResult result_;
};

// The candidates at a level are the operations invoked before the first
// return event of an unlinearized operation (just-in-time linearization).
//
// A read (or CAS_MISMATCH) that the current state allows is linearized first
// and without alternatives: it leaves the state as it is, and it is a
// candidate, so nothing unlinearized has to precede it; any linearization of
// the rest can therefore start with it. If everything after it fails, the
// level fails. This keeps concurrent reads from multiplying the states.
SearchResult Search::run() {
  std::vector<int32_t> optional;
  // Where the current level goes on; a new level starts with the reads.
  bool new_level = true;
  Phase phase = Phase::kRequired;
  int32_t node = kHead;
  size_t optional_position = 0;
  for (;;) {
    if (required_left_ == 0) return finish(SearchResult::Kind::kLinearizable);
    if (auto limit = limit_reached()) {
      result_.limit_reached = std::move(*limit);
      return finish(SearchResult::Kind::kLimitReached);
    }
    ++result_.steps;

    bool level_failed = false;
    if (new_level) {
      new_level = false;
      const int32_t read = enabled_read();
      if (read >= 0) {
        if (try_linearize(read, Phase::kRequired, 0, /*forced=*/true)) {
          new_level = true;
          continue;
        }
        // Visited before: everything after it failed.
        level_failed = true;
      } else {
        phase = Phase::kRequired;
        node = events_.next(kHead);
      }
    }

    if (!level_failed && phase == Phase::kRequired) {
      if (node != kEnd && is_call(node)) {
        const int32_t j = operation_of(node);
        if (changes_state(at(j)) &&
            try_linearize(j, Phase::kRequired, 0, /*forced=*/false)) {
          new_level = true;
        } else {
          node = events_.next(node);
        }
        continue;
      }
      note_blocked(operation_of(node));
      phase = Phase::kOptional;
      optional_position = 0;
    }

    if (!level_failed && phase == Phase::kOptional) {
      const int32_t horizon = first_return();
      optional_candidates(at(operation_of(horizon)).complete_tick, optional);
      bool linearized = false;
      for (; optional_position < optional.size(); ++optional_position) {
        if (try_linearize(optional[optional_position], Phase::kOptional,
                          optional_position, /*forced=*/false)) {
          linearized = true;
          break;
        }
      }
      if (linearized) {
        new_level = true;
        continue;
      }
    }

    // Every choice at this level failed: undo choices until one with
    // alternatives left, and go on after it.
    for (;;) {
      if (stack_.empty()) return finish(SearchResult::Kind::kNotLinearizable);
      const Frame frame = undo_last();
      if (frame.forced) continue;
      phase = frame.phase;
      if (phase == Phase::kRequired) {
        node = events_.next(call_node(frame.operation));
      } else {
        optional_position = frame.optional_position + 1;
      }
      break;
    }
  }
}

}  // namespace

SearchResult search_linearization(const KeyHistory& history,
                                  const SearchLimits& limits) {
  Search search(history, limits);
  return search.run();
}

}  // namespace quokka::sim
