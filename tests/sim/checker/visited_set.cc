#include "tests/sim/checker/visited_set.h"

#include <algorithm>

#include "common/assert.h"

namespace quokka::sim {
namespace {

constexpr size_t kInitialSlots = 1024;
constexpr uint64_t kAllOnes = ~uint64_t{0};

uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

VisitedSet::VisitedSet(size_t bitset_words)
    : bitset_words_(bitset_words),
      slots_(kInitialSlots, 0),
      slot_hashes_(kInitialSlots, 0) {
  QUOKKA_ASSERT(bitset_words > 0, "a bitset has at least one word");
  scratch_.reserve(bitset_words + 3);
}

size_t VisitedSet::bytes() const {
  return (arena_.capacity() + slots_.capacity() + slot_hashes_.capacity()) *
         sizeof(uint64_t);
}

void VisitedSet::encode(const uint64_t* bits, int32_t state) {
  size_t first = 0;
  while (first < bitset_words_ && bits[first] == kAllOnes) ++first;
  scratch_.clear();
  scratch_.push_back(static_cast<uint64_t>(static_cast<int64_t>(state)));
  scratch_.push_back(first);
  scratch_.push_back(0);  // the length of what follows, set below
  for (size_t i = first; i < bitset_words_; ++i) {
    if (bits[i] == 0) continue;
    scratch_.push_back(i);
    scratch_.push_back(bits[i]);
  }
  scratch_[2] = scratch_.size() - 3;
}

bool VisitedSet::equals_scratch(uint64_t offset) const {
  if (arena_[offset + 2] != scratch_[2]) return false;
  return std::equal(scratch_.begin(), scratch_.end(),
                    arena_.begin() + static_cast<ptrdiff_t>(offset));
}

bool VisitedSet::insert(const uint64_t* bits, uint64_t bits_hash,
                        int32_t state) {
  const uint64_t hash =
      mix(bits_hash ^ mix(static_cast<uint64_t>(static_cast<int64_t>(state))));
  encode(bits, state);
  const size_t mask = slots_.size() - 1;
  size_t slot = hash & mask;
  while (slots_[slot] != 0) {
    if (slot_hashes_[slot] == hash && equals_scratch(slots_[slot] - 1)) {
      return false;
    }
    slot = (slot + 1) & mask;
  }
  slots_[slot] = arena_.size() + 1;
  slot_hashes_[slot] = hash;
  arena_.insert(arena_.end(), scratch_.begin(), scratch_.end());
  ++size_;
  // Keep the load factor at most 1/2 so that probes stay short.
  if (size_ * 2 > slots_.size()) grow();
  return true;
}

void VisitedSet::grow() {
  std::vector<uint64_t> old_slots = std::move(slots_);
  std::vector<uint64_t> old_hashes = std::move(slot_hashes_);
  slots_.assign(old_slots.size() * 2, 0);
  slot_hashes_.assign(old_slots.size() * 2, 0);
  const size_t mask = slots_.size() - 1;
  for (size_t i = 0; i < old_slots.size(); ++i) {
    if (old_slots[i] == 0) continue;
    size_t slot = old_hashes[i] & mask;
    while (slots_[slot] != 0) slot = (slot + 1) & mask;
    slots_[slot] = old_slots[i];
    slot_hashes_[slot] = old_hashes[i];
  }
}

}  // namespace quokka::sim
