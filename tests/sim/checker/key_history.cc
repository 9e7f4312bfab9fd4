#include "tests/sim/checker/key_history.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/assert.h"

namespace quokka::sim {
namespace {

constexpr size_t kNoOperation = static_cast<size_t>(-1);

bool is_write(const Operation& operation) {
  return operation.kind == OperationKind::kPut ||
         operation.kind == OperationKind::kCompareAndSwap;
}

bool is_cas_mismatch(const Operation& operation) {
  return operation.kind == OperationKind::kCompareAndSwap &&
         operation.outcome == Outcome::kFail &&
         operation.error == ErrorCode::kCasMismatch;
}

// Whether the operation may have changed the store: ok or indeterminate
// mutations. Definite failures never happened.
bool may_have_happened(const Operation& operation) {
  return operation.outcome != Outcome::kFail;
}

Finding invalid(std::string key, std::string explanation,
                std::vector<size_t> operations) {
  return Finding{Finding::Kind::kInvalidHistory, std::move(key),
                 std::move(explanation), std::move(operations)};
}

Finding violation(std::string key, std::string explanation,
                  std::vector<size_t> operations) {
  return Finding{Finding::Kind::kViolation, std::move(key),
                 std::move(explanation), std::move(operations)};
}

std::optional<Finding> check_well_formed(const History& history) {
  for (size_t i = 0; i < history.size(); ++i) {
    const Operation& operation = history[i];
    if (operation.outcome != Outcome::kInfo &&
        operation.complete_tick < operation.invoke_tick) {
      return invalid(operation.key,
                     fmt::format("operation completes before it is invoked:\n"
                                 "  {}",
                                 describe_operation(i, operation)),
                     {i});
    }
    if (operation.outcome == Outcome::kFail &&
        operation.error == ErrorCode::kOk) {
      return invalid(operation.key,
                     fmt::format("a definite failure without an error code:\n"
                                 "  {}",
                                 describe_operation(i, operation)),
                     {i});
    }
    if (operation.error == ErrorCode::kCasMismatch &&
        operation.kind != OperationKind::kCompareAndSwap) {
      return invalid(operation.key,
                     fmt::format("only a compare-and-swap can fail with "
                                 "CAS_MISMATCH:\n  {}",
                                 describe_operation(i, operation)),
                     {i});
    }
  }
  return std::nullopt;
}

// What the static checks learn about the writes of one key.
struct KeyFacts {
  std::vector<size_t> operations;  // history positions, in history order
  std::unordered_map<std::string_view, size_t> writer_of_value;
};

}  // namespace

Partition partition_history(const History& history) {
  Partition partition;
  if (auto finding = check_well_formed(history)) {
    partition.finding = std::move(finding);
    return partition;
  }

  std::map<std::string_view, KeyFacts> keys;
  for (size_t i = 0; i < history.size(); ++i) {
    keys[history[i].key].operations.push_back(i);
  }

  // Precondition: each key's values are written at most once, so that a
  // read names the one write it saw.
  for (auto& [key, facts] : keys) {
    for (const size_t i : facts.operations) {
      if (!is_write(history[i])) continue;
      const auto [it, inserted] =
          facts.writer_of_value.emplace(history[i].value, i);
      if (!inserted) {
        partition.finding = invalid(
            std::string(key),
            fmt::format("the workload wrote the same value twice to one key, "
                        "so a read of it cannot be attributed to one write "
                        "(values must be unique per key):\n  {}\n  {}",
                        describe_operation(it->second, history[it->second]),
                        describe_operation(i, history[i])),
            {it->second, i});
        return partition;
      }
    }
  }

  // Every value read was written by a write that may have happened, and
  // every report of its revision agrees.
  std::vector<size_t> read_writer(history.size(), kNoOperation);
  std::vector<uint64_t> known_revision(history.size(), 0);
  // Which operation first reported a write's revision.
  std::vector<size_t> revision_source(history.size(), kNoOperation);
  auto learn_revision = [&](size_t writer, uint64_t revision,
                            size_t source) -> std::optional<Finding> {
    if (revision == 0) return std::nullopt;
    if (known_revision[writer] == 0) {
      known_revision[writer] = revision;
      revision_source[writer] = source;
      return std::nullopt;
    }
    if (known_revision[writer] == revision) return std::nullopt;
    const size_t first = revision_source[writer];
    std::vector<size_t> operations = {writer};
    if (first != writer) operations.push_back(first);
    if (source != writer) operations.push_back(source);
    std::string text = fmt::format(
        "the value {} was reported with revision {} and with revision {}, "
        "but a write has one revision:",
        quote_value(history[writer].value), known_revision[writer], revision);
    for (const size_t i : operations) {
      text += "\n  " + describe_operation(i, history[i]);
    }
    return violation(history[writer].key, std::move(text),
                     std::move(operations));
  };
  for (auto& [key, facts] : keys) {
    for (const size_t i : facts.operations) {
      const Operation& operation = history[i];
      if (is_write(operation) && operation.outcome == Outcome::kOk) {
        if (auto finding = learn_revision(i, operation.revision.value(), i)) {
          partition.finding = std::move(finding);
          return partition;
        }
      }
    }
    for (const size_t i : facts.operations) {
      const Operation& operation = history[i];
      if (operation.kind != OperationKind::kGet) continue;
      if (operation.outcome != Outcome::kOk) continue;
      if (!operation.read_value.has_value()) continue;
      const auto writer = facts.writer_of_value.find(*operation.read_value);
      if (writer == facts.writer_of_value.end()) {
        partition.finding = violation(
            std::string(key),
            fmt::format("a read returned a value that no operation wrote to "
                        "this key:\n  {}",
                        describe_operation(i, operation)),
            {i});
        return partition;
      }
      const Operation& write = history[writer->second];
      if (!may_have_happened(write)) {
        partition.finding = violation(
            std::string(key),
            fmt::format("a read returned the value of a write that failed "
                        "definitely (it must never be visible):\n  {}\n  {}",
                        describe_operation(writer->second, write),
                        describe_operation(i, operation)),
            {writer->second, i});
        return partition;
      }
      read_writer[i] = writer->second;
      if (auto finding =
              learn_revision(writer->second, operation.revision.value(), i)) {
        partition.finding = std::move(finding);
        return partition;
      }
    }
  }

  // Revisions are cluster-wide and each mutation creates its own, so two
  // writes never share one, and a write that completed before another was
  // invoked has the smaller revision.
  struct RevisedWrite {
    uint64_t revision;
    size_t index;
  };
  std::vector<RevisedWrite> revised;
  for (size_t i = 0; i < history.size(); ++i) {
    if (known_revision[i] != 0) revised.push_back({known_revision[i], i});
  }
  std::sort(revised.begin(), revised.end(),
            [](const RevisedWrite& a, const RevisedWrite& b) {
              return a.revision < b.revision ||
                     (a.revision == b.revision && a.index < b.index);
            });
  for (size_t r = 1; r < revised.size(); ++r) {
    if (revised[r].revision != revised[r - 1].revision) continue;
    const size_t a = revised[r - 1].index;
    const size_t b = revised[r].index;
    partition.finding = violation(
        "",
        fmt::format("two writes have the same revision {}, but every "
                    "mutation creates a revision of its own:\n  {}\n  {}",
                    revised[r].revision, describe_operation(a, history[a]),
                    describe_operation(b, history[b])),
        {a, b});
    return partition;
  }
  auto effective_complete = [&](size_t i) {
    return history[i].outcome == Outcome::kOk ? history[i].complete_tick
                                              : kNeverTick;
  };
  size_t earliest_completed_higher = kNoOperation;
  for (size_t r = revised.size(); r-- > 0;) {
    const size_t lower = revised[r].index;
    if (earliest_completed_higher != kNoOperation &&
        effective_complete(earliest_completed_higher) <
            history[lower].invoke_tick) {
      const size_t higher = earliest_completed_higher;
      partition.finding = violation(
          history[lower].key == history[higher].key ? history[lower].key : "",
          fmt::format("a write with a higher revision completed before a "
                      "write with a lower revision was invoked; revisions "
                      "grow with every applied mutation, so the order is "
                      "impossible:\n  {}\n  {}",
                      describe_operation(higher, history[higher]),
                      describe_operation(lower, history[lower])),
          {higher, lower});
      return partition;
    }
    if (earliest_completed_higher == kNoOperation ||
        effective_complete(lower) <
            effective_complete(earliest_completed_higher)) {
      earliest_completed_higher = lower;
    }
  }
  std::unordered_set<uint64_t> claimed_revisions;
  for (const RevisedWrite& write : revised) {
    claimed_revisions.insert(write.revision);
  }

  // One KeyHistory per key, without the operations that cannot constrain
  // it: failed or indeterminate reads, definite failures of writes, and
  // indeterminate writes that nothing could have observed.
  // Writes that some read saw; each write belongs to one key, so one vector
  // serves every key.
  std::vector<bool> read(history.size(), false);
  for (auto& [key, facts] : keys) {
    bool has_absent_read = false;
    bool has_cas_mismatch = false;
    bool has_cas_expecting_absent = false;
    bool has_cas_expecting_unknown_revision = false;
    for (const size_t i : facts.operations) {
      const Operation& operation = history[i];
      if (operation.kind == OperationKind::kGet &&
          operation.outcome == Outcome::kOk) {
        if (read_writer[i] == kNoOperation) {
          has_absent_read = true;
        } else {
          read[read_writer[i]] = true;
        }
      }
      if (is_cas_mismatch(operation)) has_cas_mismatch = true;
      if (operation.kind == OperationKind::kCompareAndSwap &&
          may_have_happened(operation)) {
        const uint64_t expected = operation.expected_revision.value();
        if (expected == 0) has_cas_expecting_absent = true;
        if (expected != 0 && !claimed_revisions.contains(expected)) {
          has_cas_expecting_unknown_revision = true;
        }
      }
    }

    KeyHistory key_history;
    key_history.key = std::string(key);
    std::vector<size_t> kept;
    for (const size_t i : facts.operations) {
      const Operation& operation = history[i];
      bool keep = false;
      switch (operation.kind) {
        case OperationKind::kGet:
          keep = operation.outcome == Outcome::kOk;
          break;
        case OperationKind::kPut:
        case OperationKind::kCompareAndSwap:
          if (is_cas_mismatch(operation)) {
            keep = true;
          } else if (operation.outcome == Outcome::kOk) {
            keep = true;
          } else if (operation.outcome == Outcome::kInfo) {
            // An indeterminate write nobody read, while no CAS could have
            // matched its unknown revision, is equivalent to one that never
            // happened.
            keep = read[i] || has_cas_mismatch ||
                   has_cas_expecting_unknown_revision;
          }
          break;
        case OperationKind::kDelete:
          if (operation.outcome == Outcome::kOk) {
            keep = true;
          } else if (operation.outcome == Outcome::kInfo) {
            keep = has_absent_read || has_cas_mismatch ||
                   has_cas_expecting_absent;
          }
          break;
      }
      if (keep) {
        kept.push_back(i);
      } else {
        ++key_history.dropped_count;
      }
    }
    std::stable_sort(kept.begin(), kept.end(), [&](size_t a, size_t b) {
      return history[a].invoke_tick < history[b].invoke_tick;
    });
    std::unordered_map<size_t, int32_t> local_index;
    for (size_t l = 0; l < kept.size(); ++l) {
      local_index.emplace(kept[l], static_cast<int32_t>(l));
    }
    for (const size_t i : kept) {
      const Operation& operation = history[i];
      KeyOperation op;
      op.history_index = i;
      op.invoke_tick = operation.invoke_tick;
      op.required =
          operation.outcome == Outcome::kOk || is_cas_mismatch(operation);
      op.complete_tick = op.required ? operation.complete_tick : kNeverTick;
      op.expected_revision = operation.expected_revision.value();
      op.expected_claimed = claimed_revisions.contains(op.expected_revision);
      op.revision = known_revision[i];
      switch (operation.kind) {
        case OperationKind::kGet:
          op.step = Step::kRead;
          op.read_state = read_writer[i] == kNoOperation
                              ? kAbsentState
                              : local_index.at(read_writer[i]);
          break;
        case OperationKind::kPut:
          op.step = Step::kWrite;
          break;
        case OperationKind::kDelete:
          op.step = Step::kDelete;
          break;
        case OperationKind::kCompareAndSwap:
          op.step = is_cas_mismatch(operation) ? Step::kCasMismatch
                                               : Step::kCompareAndSwap;
          break;
      }
      key_history.operations.push_back(op);
    }
    partition.keys.push_back(std::move(key_history));
  }
  return partition;
}

KeyHistory restrict_key_history(const KeyHistory& source,
                                const std::vector<bool>& keep,
                                const std::vector<bool>& make_optional) {
  QUOKKA_ASSERT(keep.size() == source.operations.size(),
                "keep has {} entries for {} operations", keep.size(),
                source.operations.size());
  QUOKKA_ASSERT(make_optional.size() == source.operations.size(),
                "make_optional has {} entries for {} operations",
                make_optional.size(), source.operations.size());
  KeyHistory result;
  result.key = source.key;
  std::vector<int32_t> new_index(source.operations.size(), kUnreachableState);
  for (size_t i = 0; i < source.operations.size(); ++i) {
    if (!keep[i]) continue;
    new_index[i] = static_cast<int32_t>(result.operations.size());
    KeyOperation op = source.operations[i];
    if (make_optional[i]) {
      QUOKKA_ASSERT(op.step != Step::kRead,
                    "a read cannot be made optional; leave it out instead");
      QUOKKA_ASSERT(op.step != Step::kCasMismatch,
                    "a CAS mismatch cannot be made optional; leave it out");
      op.required = false;
      op.complete_tick = kNeverTick;
    }
    result.operations.push_back(op);
  }
  for (KeyOperation& op : result.operations) {
    if (op.step == Step::kRead && op.read_state >= 0) {
      op.read_state = new_index[static_cast<size_t>(op.read_state)];
    }
  }
  result.dropped_count =
      source.dropped_count + source.operations.size() - result.operations.size();
  return result;
}

}  // namespace quokka::sim
