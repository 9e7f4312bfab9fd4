#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace quokka {

// The candidate most similar to `name` (by edit distance), if one is close
// enough to be a plausible typo; for "did you mean ...?" hints.
std::optional<std::string_view> closest_name(std::string_view name,
                                             std::span<const std::string_view> candidates);

}  // namespace quokka
