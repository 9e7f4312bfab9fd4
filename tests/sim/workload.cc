#include "tests/sim/workload.h"

#include <fmt/format.h>

namespace quokka::sim {

std::string_view workload_kind_name(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::kRegisters: return "registers";
    case WorkloadKind::kExactlyOnce: return "exactly-once";
    case WorkloadKind::kSharedBlobs: return "shared-blobs";
    case WorkloadKind::kLargeValues: return "large-values";
  }
  return "unknown";
}

namespace {
std::string_view prefix_of(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::kRegisters: return "r/";
    case WorkloadKind::kExactlyOnce: return "x/";
    case WorkloadKind::kSharedBlobs: return "s/";
    case WorkloadKind::kLargeValues: return "l/";
  }
  return "?/";
}

uint64_t key_count_of(WorkloadKind kind, const WorkloadShape& shape) {
  switch (kind) {
    case WorkloadKind::kRegisters: return shape.register_keys;
    case WorkloadKind::kExactlyOnce: return std::max<uint64_t>(shape.register_keys / 2, 4);
    case WorkloadKind::kSharedBlobs: return shape.shared_keys;
    case WorkloadKind::kLargeValues: return shape.large_keys;
  }
  return 1;
}
}  // namespace

std::vector<std::string> Workload::keys(WorkloadKind kind, const WorkloadShape& shape) {
  std::vector<std::string> keys;
  const uint64_t count = key_count_of(kind, shape);
  for (uint64_t i = 0; i < count; ++i) keys.push_back(fmt::format("{}{}", prefix_of(kind), i));
  return keys;
}

std::string Workload::new_token() { return fmt::format("c{}.{}", client_index_, ++counter_); }

void Workload::observed(const std::string& key, Revision mod_revision) {
  last_seen_[key] = mod_revision;
}

PlannedOperation Workload::next(DeterministicRandom& random) {
  switch (kind_) {
    case WorkloadKind::kRegisters:
      return next_register(random, prefix_of(kind_), key_count_of(kind_, shape_));
    case WorkloadKind::kExactlyOnce: {
      PlannedOperation operation =
          next_register(random, prefix_of(kind_), key_count_of(kind_, shape_));
      operation.retry_indeterminate = true;
      return operation;
    }
    case WorkloadKind::kSharedBlobs:
      return next_shared(random);
    case WorkloadKind::kLargeValues:
      return next_large(random);
  }
  return {};
}

PlannedOperation Workload::next_register(DeterministicRandom& random, std::string_view prefix,
                                         uint64_t key_count) {
  PlannedOperation operation;
  operation.key = fmt::format("{}{}", prefix, random.below(key_count));
  const uint64_t roll = random.below(100);
  const bool exactly_once = kind_ == WorkloadKind::kExactlyOnce;
  if (roll < (exactly_once ? 25u : 40u)) {
    operation.kind = OperationKind::kGet;
    return operation;
  }
  operation.token = new_token();
  operation.size = random.between(operation.token.size() + 1, 64);
  if (roll < 70) {
    operation.kind = OperationKind::kPut;
  } else if (roll < 92) {
    operation.kind = OperationKind::kCompareAndSwap;
    auto seen = last_seen_.find(operation.key);
    // Mostly the revision last seen (often current); sometimes "must not
    // exist", sometimes a revision that is surely stale.
    if (seen != last_seen_.end() && !random.chance(1, 8)) {
      operation.expected_revision = seen->second;
    } else if (random.chance(1, 2)) {
      operation.expected_revision = Revision(0);
    } else {
      operation.expected_revision = Revision(random.between(1, 50));
    }
  } else {
    operation.kind = OperationKind::kDelete;
    operation.token.clear();
    operation.size = 0;
  }
  return operation;
}

PlannedOperation Workload::next_shared(DeterministicRandom& random) {
  const std::vector<std::string> keys = Workload::keys(kind_, shape_);
  PlannedOperation operation;
  operation.key = keys[random.below(keys.size())];
  const uint64_t roll = random.below(100);
  if (roll < 30) {
    operation.kind = OperationKind::kGet;
    return operation;
  }
  if (roll < 45) {
    operation.kind = OperationKind::kDelete;
    return operation;
  }
  // A new generation when this one has reached every key, or now and then.
  if (shared_token_.empty() || shared_written_.size() == keys.size() || random.chance(1, 40)) {
    shared_token_ = new_token();
    // Around the inline limit: some travel with the append, some ahead.
    shared_size_ = random.between(shape_.inline_value_bytes_max / 2,
                                  shape_.inline_value_bytes_max * 2);
    shared_written_.clear();
  }
  while (shared_written_.contains(operation.key)) {
    operation.key = keys[random.below(keys.size())];
  }
  shared_written_.insert(operation.key);
  operation.kind = OperationKind::kPut;
  operation.token = shared_token_;
  operation.size = shared_size_;
  return operation;
}

PlannedOperation Workload::next_large(DeterministicRandom& random) {
  const std::vector<std::string> keys = Workload::keys(kind_, shape_);
  PlannedOperation operation;
  operation.key = keys[random.below(keys.size())];
  if (random.chance(1, 3)) {
    operation.kind = OperationKind::kGet;
    return operation;
  }
  operation.kind = OperationKind::kPut;
  operation.token = new_token();
  const uint64_t inline_max = shape_.inline_value_bytes_max;
  const uint64_t value_max = shape_.value_bytes_max;
  switch (random.below(7)) {
    case 0: operation.size = inline_max - 1; break;
    case 1: operation.size = inline_max; break;
    case 2: operation.size = inline_max + 1; break;
    case 3: operation.size = random.between(inline_max, value_max); break;
    case 4: operation.size = value_max - 1; break;
    case 5: operation.size = value_max; break;
    default: operation.size = value_max + random.between(1, 1024); break;
  }
  operation.expect_too_large = operation.size > value_max;
  return operation;
}

}  // namespace quokka::sim
