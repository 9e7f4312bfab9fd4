#include "config/closest_name.h"

#include <algorithm>
#include <vector>

namespace quokka {
namespace {

// Levenshtein distance; names are short, so the O(n*m) table is cheap.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1);
  std::vector<size_t> current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace

std::optional<std::string_view> closest_name(std::string_view name,
                                             std::span<const std::string_view> candidates) {
  // A third of the name may be wrong: enough for a dropped "s" or a
  // swapped pair, not so much that unrelated names are suggested.
  size_t allowed = std::max<size_t>(2, name.size() / 3);
  std::optional<std::string_view> best;
  size_t best_distance = allowed + 1;
  for (std::string_view candidate : candidates) {
    size_t distance = edit_distance(name, candidate);
    // "warning" for "warn", "info" for "information": one name spelt out
    // further than the other is a near miss however long the tail.
    // A section is not a near miss for a setting inside it ("limits" for
    // "limits.value_byte_max"): the rule stops at a path separator.
    std::string_view shorter = name.size() < candidate.size() ? name : candidate;
    std::string_view longer = name.size() < candidate.size() ? candidate : name;
    bool prefixed = shorter.size() >= 3 && longer.size() > shorter.size() &&
                    longer.starts_with(shorter) && longer[shorter.size()] != '.';
    if (prefixed) distance = std::min<size_t>(distance, 1);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace quokka
