#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "client/bench/bench_options.h"
#include "common/deterministic_random.h"
#include "common/types.h"

namespace quokka::client::bench {

// The name of key number `index`: the prefix, then the number in ten
// digits, so every key of a run has the same size.
std::string key_name(const std::string& prefix, uint64_t index);

// Values of one fixed size that differ from each other: quokka stores a
// value under its SHA-256, so writing the same bytes twice would measure
// deduplication rather than a write. The first 16 bytes (fewer for smaller
// values) carry the stream id and a counter; the rest is seeded noise.
class ValueGenerator {
 public:
  ValueGenerator(uint64_t value_size, uint64_t stream, uint64_t seed);
  std::string next();

 private:
  std::string base_;
  uint64_t stream_;
  uint64_t counter_ = 0;
};

// One logical client's requests: which operation next, on which key, with
// which value. Keys are drawn uniformly from [0, keys) by a generator
// seeded from the run's seed and the logical client's number, so a run
// replays the same key sequence.
class Workload {
 public:
  enum class Step : uint8_t { kPut, kGet, kCompareAndSwap };

  Workload(const BenchOptions& options, uint32_t logical_client);

  Step next_step();
  uint64_t next_key_index() { return random_.below(keys_); }
  std::string key(uint64_t index) const { return key_name(key_prefix_, index); }
  std::string next_value() { return values_.next(); }

  // Compare-and-swap: the key's mod_revision as this logical client last
  // saw it; 0 ("must not exist") for a key it never touched.
  Revision expected_revision(uint64_t key_index) const;
  void learn_revision(uint64_t key_index, Revision mod_revision);

 private:
  BenchOperation operation_;
  uint32_t read_percent_;
  uint64_t keys_;
  std::string key_prefix_;
  DeterministicRandom random_;
  ValueGenerator values_;
  // Bounded by the number of keys.
  std::unordered_map<uint64_t, Revision> revisions_;
};

}  // namespace quokka::client::bench
