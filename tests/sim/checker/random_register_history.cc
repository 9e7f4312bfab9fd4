#include "tests/sim/checker/random_register_history.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace quokka::sim::testing {
namespace {

struct Stored {
  std::string value;
  uint64_t mod_revision = 0;
};

enum class Fate { kOk, kFail, kInfo };

}  // namespace

History generate_register_history(const RandomHistoryOptions& options) {
  DeterministicRandom random(options.seed);
  History history;
  // When each operation takes effect, and whether an indeterminate write
  // does at all.
  std::vector<uint64_t> effect_tick;
  std::vector<Fate> fates;
  std::vector<uint64_t> client_free_tick(options.clients, 0);
  for (size_t i = 0; i < options.operations; ++i) {
    const size_t client = random.below(options.clients);
    Operation operation;
    operation.client = ClientId(client);
    operation.key = fmt::format("key{}", random.below(options.keys));
    const uint64_t roll = random.below(100);
    operation.kind = roll < 40   ? OperationKind::kGet
                     : roll < 75 ? OperationKind::kPut
                     : roll < 85 ? OperationKind::kDelete
                                 : OperationKind::kCompareAndSwap;
    if (operation.kind == OperationKind::kPut ||
        operation.kind == OperationKind::kCompareAndSwap) {
      operation.value = fmt::format("v{}", i);
    }
    operation.invoke_tick =
        client_free_tick[client] + random.between(0, options.think_ticks_max);
    const uint64_t fate_roll = random.below(100);
    const Fate fate = fate_roll < options.indeterminate_percent ? Fate::kInfo
                      : fate_roll < options.indeterminate_percent +
                                        options.failure_percent
                          ? Fate::kFail
                          : Fate::kOk;
    uint64_t effect = operation.invoke_tick +
                      random.between(0, options.latency_ticks_max);
    operation.complete_tick =
        effect + random.between(0, options.latency_ticks_max);
    if (fate == Fate::kInfo) {
      // The client gives up, but the operation may still take effect later.
      effect += random.between(0, 3 * options.latency_ticks_max);
    }
    client_free_tick[client] = operation.complete_tick + 1;
    history.push_back(std::move(operation));
    effect_tick.push_back(effect);
    fates.push_back(fate);
  }

  // Apply in effect order to one sequential store.
  std::vector<size_t> order(history.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return effect_tick[a] < effect_tick[b];
  });
  std::map<std::string, Stored> store;
  uint64_t revision = 0;
  for (const size_t i : order) {
    Operation& operation = history[i];
    const Fate fate = fates[i];
    const auto current = store.find(operation.key);
    const bool exists = current != store.end();
    if (fate == Fate::kFail) {
      operation.outcome = Outcome::kFail;
      operation.error = ErrorCode::kNotLeader;
      if (operation.kind == OperationKind::kCompareAndSwap) {
        operation.expected_revision = Revision(random.between(0, revision));
      }
      continue;
    }
    const bool takes_effect = fate == Fate::kOk || random.chance(1, 2);
    operation.outcome = fate == Fate::kOk ? Outcome::kOk : Outcome::kInfo;
    if (fate == Fate::kInfo) operation.error = ErrorCode::kTimeout;
    switch (operation.kind) {
      case OperationKind::kGet:
        if (exists) {
          operation.read_value = current->second.value;
          operation.revision = Revision(current->second.mod_revision);
        }
        break;
      case OperationKind::kPut:
        if (takes_effect) {
          store[operation.key] = Stored{operation.value, ++revision};
          operation.revision = Revision(revision);
        }
        break;
      case OperationKind::kDelete:
        if (takes_effect && exists) {
          store.erase(current);
          ++revision;
        }
        break;
      case OperationKind::kCompareAndSwap: {
        const uint64_t actual = exists ? current->second.mod_revision : 0;
        const uint64_t pick = random.below(4);
        const uint64_t expected = pick < 2    ? actual
                                  : pick == 2 ? 0
                                              : random.between(0, revision);
        operation.expected_revision = Revision(expected);
        if (expected != actual) {
          if (fate == Fate::kOk) {
            operation.outcome = Outcome::kFail;
            operation.error = ErrorCode::kCasMismatch;
          }
        } else if (takes_effect) {
          store[operation.key] = Stored{operation.value, ++revision};
          operation.revision = Revision(revision);
        }
        break;
      }
    }
    // Indeterminate operations report nothing.
    if (operation.outcome == Outcome::kInfo) {
      operation.revision = Revision(0);
      operation.read_value.reset();
    }
    if (!options.report_revisions) operation.revision = Revision(0);
  }
  return history;
}

std::optional<size_t> make_stale_read(History& history,
                                      DeterministicRandom& random) {
  std::map<std::string, std::vector<size_t>> ok_writes;
  std::vector<size_t> reads;
  for (size_t i = 0; i < history.size(); ++i) {
    const Operation& operation = history[i];
    if (operation.outcome != Outcome::kOk) continue;
    if (operation.kind == OperationKind::kGet) {
      reads.push_back(i);
    } else {
      ok_writes[operation.key].push_back(i);
    }
  }
  // Try the reads in a random order.
  for (size_t r = reads.size(); r > 1; --r) {
    std::swap(reads[r - 1], reads[random.below(r)]);
  }
  for (const size_t g : reads) {
    Operation& read = history[g];
    const std::vector<size_t>& writes = ok_writes[read.key];
    // The overwriting write: of those that completed before the read was
    // invoked, the one invoked last leaves the most room before it.
    std::optional<size_t> overwrite;
    for (const size_t w : writes) {
      if (history[w].complete_tick >= read.invoke_tick) continue;
      if (!overwrite || history[w].invoke_tick > history[*overwrite].invoke_tick) {
        overwrite = w;
      }
    }
    if (!overwrite) continue;
    for (const size_t w : writes) {
      const Operation& old = history[w];
      if (old.kind == OperationKind::kDelete) continue;
      if (old.complete_tick >= history[*overwrite].invoke_tick) continue;
      if (read.read_value == old.value) continue;
      read.read_value = old.value;
      read.revision = old.revision;
      return g;
    }
  }
  return std::nullopt;
}

}  // namespace quokka::sim::testing
