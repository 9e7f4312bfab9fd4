#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace quokka::proto {

// A protocol version as it travels in a frame header: a fixed 2-byte field.
using ProtocolVersion = uint16_t;

// An inclusive range of protocol versions, [min, max].
struct ProtocolVersionRange {
  ProtocolVersion min = 0;
  ProtocolVersion max = 0;

  constexpr bool contains(uint32_t version) const {
    return version >= min && version <= max;
  }
  constexpr bool is_empty() const { return min > max; }

  // "1..3", or "1" when min == max; used in error messages.
  std::string to_string() const {
    if (min == max) return fmt::format("{}", min);
    return fmt::format("{}..{}", min, max);
  }
};

// The versions this build speaks. A version is a promise about the whole
// wire format (frame, envelope, every message); any change that an older
// peer could misread raises kProtocolVersionMax. Version 0 is never valid,
// so an unset field cannot pass for a version.
inline constexpr ProtocolVersion kProtocolVersionMin = 1;
inline constexpr ProtocolVersion kProtocolVersionMax = 1;
inline constexpr ProtocolVersionRange kSupportedProtocolVersions{
    kProtocolVersionMin, kProtocolVersionMax};

static_assert(kProtocolVersionMin >= 1, "version 0 means 'unset'");
static_assert(kProtocolVersionMin <= kProtocolVersionMax);

}  // namespace quokka::proto
