#pragma once

#include <cstdint>
#include <optional>

namespace quokka {

// The client operations that get an Apdex score of their own.
enum class ApdexOperation : uint8_t { kPut, kGet, kDelete, kCas, kRange };

// The Apdex target of each operation when nothing is configured: writes
// wait for a sync on a majority, reads need none, and a range reads many
// keys. deploy/prometheus/recording.rules.yml selects the histogram buckets
// at T and 4T by these same numbers, so they change together.
inline constexpr uint64_t kApdexWriteThresholdMsDefault = 20;
inline constexpr uint64_t kApdexGetThresholdMsDefault = 10;
inline constexpr uint64_t kApdexRangeThresholdMsDefault = 50;

// [metrics]
struct MetricsConfig {
  // Apdex target T: a request answered within T is "satisfied", within 4T
  // "tolerating", later or failed "frustrated". An operation's own setting
  // wins; else apdex_threshold_ms, when set, applies to every operation;
  // else each operation has its default above.
  std::optional<uint64_t> apdex_threshold_ms;
  std::optional<uint64_t> apdex_put_threshold_ms;
  std::optional<uint64_t> apdex_get_threshold_ms;
  std::optional<uint64_t> apdex_delete_threshold_ms;
  std::optional<uint64_t> apdex_cas_threshold_ms;
  std::optional<uint64_t> apdex_range_threshold_ms;
  // Latency quantiles (summaries) cover this sliding window.
  uint64_t summary_window_seconds = 60;

  // The threshold in force for `operation`.
  uint64_t apdex_threshold_ms_for(ApdexOperation operation) const {
    auto pick = [&](const std::optional<uint64_t>& own, uint64_t fallback) {
      return own.value_or(apdex_threshold_ms.value_or(fallback));
    };
    switch (operation) {
      case ApdexOperation::kPut: return pick(apdex_put_threshold_ms, kApdexWriteThresholdMsDefault);
      case ApdexOperation::kGet: return pick(apdex_get_threshold_ms, kApdexGetThresholdMsDefault);
      case ApdexOperation::kDelete:
        return pick(apdex_delete_threshold_ms, kApdexWriteThresholdMsDefault);
      case ApdexOperation::kCas: return pick(apdex_cas_threshold_ms, kApdexWriteThresholdMsDefault);
      case ApdexOperation::kRange:
        return pick(apdex_range_threshold_ms, kApdexRangeThresholdMsDefault);
    }
    return apdex_threshold_ms.value_or(kApdexWriteThresholdMsDefault);
  }

  bool operator==(const MetricsConfig&) const = default;
};

}  // namespace quokka
