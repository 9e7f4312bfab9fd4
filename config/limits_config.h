#pragma once

#include <cstdint>
#include <optional>

namespace quokka {

// Room a frame needs beyond the largest value it carries: the envelope,
// headers and key (DESIGN "Limits": frame size = value limit + 64 KiB).
inline constexpr uint64_t kFrameOverheadBytes = 64 * 1024;

// The inline value limit when none is set (DESIGN "Limits").
inline constexpr uint64_t kInlineValueBytesDefault = 64 * 1024;

// [limits]: the sizes DESIGN.md's "Limits" table promises. An over-limit
// request gets TOO_LARGE naming the limit and the actual size. The client
// library reads the same section, so both sides enforce the same numbers.
struct LimitsConfig {
  uint64_t key_bytes_max = 4 * 1024;
  uint64_t value_bytes_max = 16 * 1024 * 1024;
  // Values up to this size travel inside AppendEntries; larger ones go on a
  // blob stream before the entry. 0 streams every value. Unset means
  // kInlineValueBytesDefault, capped at value_bytes_max: no value is larger
  // than that, so the cap changes nothing, and lowering value_bytes_max
  // alone keeps a consistent configuration. When set it must be at most
  // value_bytes_max.
  std::optional<uint64_t> inline_value_bytes_max;
  // A range page stops at whichever of the two is reached first.
  uint64_t range_keys_max = 10000;
  uint64_t range_bytes_max = 4 * 1024 * 1024;
  // Unset means "the larger of value_bytes_max and range_bytes_max, plus
  // kFrameOverheadBytes" (16 MiB + 64 KiB by default, as DESIGN says), so
  // changing the value or page limit alone keeps a consistent
  // configuration. When set it must be at least that much, or the largest
  // allowed value or range page could not be sent.
  std::optional<uint64_t> frame_bytes_max;
  // Applied to a request that carries no deadline of its own.
  uint64_t request_deadline_ms_default = 5000;
  // Longer client deadlines are shortened to this, so that no request can
  // hold a queue slot for longer.
  uint64_t request_deadline_ms_max = 60000;

  // The inline value limit in force: inline_value_bytes_max, or its
  // derived default.
  uint64_t inline_value_bytes_max_effective() const {
    return inline_value_bytes_max.value_or(
        value_bytes_max < kInlineValueBytesDefault ? value_bytes_max : kInlineValueBytesDefault);
  }
  // The smallest frame limit that carries every allowed request and
  // response.
  uint64_t frame_bytes_needed() const {
    return (value_bytes_max > range_bytes_max ? value_bytes_max : range_bytes_max) +
           kFrameOverheadBytes;
  }
  // The frame limit in force: frame_bytes_max, or its derived default.
  uint64_t frame_bytes_max_effective() const {
    return frame_bytes_max.value_or(frame_bytes_needed());
  }

  bool operator==(const LimitsConfig&) const = default;
};

}  // namespace quokka
