#include "tests/sim/value_codec.h"

#include <fmt/format.h>

#include <algorithm>

namespace quokka::sim {

namespace {
constexpr char kSeparator = '|';

uint64_t token_hash(std::string_view token) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : token) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

char filler_at(uint64_t hash, uint64_t position) {
  return static_cast<char>('a' + (hash + position * 31 + (position >> 7)) % 26);
}
}  // namespace

std::string encode_value(std::string_view token, uint64_t size) {
  std::string value(token);
  value += kSeparator;
  const uint64_t hash = token_hash(token);
  // A value is never shorter than its token and separator.
  for (uint64_t position = value.size(); position < size; ++position) {
    value += filler_at(hash, position);
  }
  return value;
}

std::optional<std::string> value_label(std::string_view value) {
  const size_t separator = value.find(kSeparator);
  if (separator == std::string_view::npos) return std::nullopt;
  const std::string_view token = value.substr(0, separator);
  const uint64_t hash = token_hash(token);
  for (uint64_t position = separator + 1; position < value.size(); ++position) {
    if (value[position] != filler_at(hash, position)) return std::nullopt;
  }
  return label_of(token, value.size());
}

std::string label_of(std::string_view token, uint64_t size) {
  // encode_value never writes fewer bytes than the token and separator.
  const uint64_t actual = std::max<uint64_t>(size, token.size() + 1);
  return fmt::format("{}#{}", token, actual);
}

}  // namespace quokka::sim
