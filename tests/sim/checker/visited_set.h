#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace quokka::sim {

// The memo of the linearizability search: the set of (linearized set,
// register state) pairs already explored. Two pairs are equal only when
// their bitsets and states are equal; the hash only picks the slot.
//
// A bitset is stored as the count of its leading all-ones words, then
// (position, word) for each later word that is not zero. The search
// linearizes operations roughly in time order, so a linearized set is
// "everything before some point, plus a few", and an entry takes a few words
// even when the key has thousands of operations.
class VisitedSet {
 public:
  explicit VisitedSet(size_t bitset_words);

  // Records (bits, state) and returns true if it was not in the set.
  // `bits` has bitset_words words; `bits_hash` must be a function of the
  // bitset alone (the search keeps a Zobrist hash up to date).
  bool insert(const uint64_t* bits, uint64_t bits_hash, int32_t state);

  size_t size() const { return size_; }
  size_t bytes() const;

 private:
  void grow();
  // Writes the canonical encoding of (bits, state) into scratch_.
  void encode(const uint64_t* bits, int32_t state);
  bool equals_scratch(uint64_t offset) const;

  size_t bitset_words_;
  size_t size_ = 0;
  // Encoded entries back to back: state, all-ones word count, length of
  // the rest, then (position, word) pairs.
  std::vector<uint64_t> arena_;
  // Open addressing with linear probing; capacity is a power of two.
  // slots_[i] is 1 + offset into arena_, or 0 when empty.
  std::vector<uint64_t> slots_;
  std::vector<uint64_t> slot_hashes_;
  std::vector<uint64_t> scratch_;
};

}  // namespace quokka::sim
