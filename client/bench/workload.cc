#include "client/bench/workload.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace quokka::client::bench {
namespace {

// Spreads (seed, number) over the generator's state, so neighbouring
// logical clients do not draw overlapping sequences.
uint64_t mix(uint64_t seed, uint64_t number) {
  DeterministicRandom mixer(seed ^ (number * 0x9e3779b97f4a7c15ULL));
  return mixer.next();
}

}  // namespace

std::string key_name(const std::string& prefix, uint64_t index) {
  return fmt::format("{}{:0{}}", prefix, index, kKeyIndexDigits);
}

ValueGenerator::ValueGenerator(uint64_t value_size, uint64_t stream, uint64_t seed)
    : base_(value_size, '\0'), stream_(stream) {
  DeterministicRandom random(mix(seed, stream));
  for (char& byte : base_) byte = static_cast<char>(random.next() & 0xff);
}

std::string ValueGenerator::next() {
  std::string value = base_;
  const uint64_t stamp[2] = {stream_, counter_++};
  std::memcpy(value.data(), stamp, std::min(value.size(), sizeof stamp));
  return value;
}

Workload::Workload(const BenchOptions& options, uint32_t logical_client)
    : operation_(options.operation),
      read_percent_(options.read_percent),
      keys_(options.keys),
      key_prefix_(options.key_prefix),
      random_(mix(options.seed, logical_client)),
      values_(options.value_size, logical_client, options.seed) {}

Workload::Step Workload::next_step() {
  switch (operation_) {
    case BenchOperation::kPut: return Step::kPut;
    case BenchOperation::kGet: return Step::kGet;
    case BenchOperation::kCompareAndSwap: return Step::kCompareAndSwap;
    case BenchOperation::kMixed:
      return random_.below(100) < read_percent_ ? Step::kGet : Step::kPut;
  }
  return Step::kGet;
}

Revision Workload::expected_revision(uint64_t key_index) const {
  const auto found = revisions_.find(key_index);
  return found == revisions_.end() ? Revision(0) : found->second;
}

void Workload::learn_revision(uint64_t key_index, Revision mod_revision) {
  revisions_[key_index] = mod_revision;
}

}  // namespace quokka::client::bench
