#pragma once

#include <cstdint>
#include <optional>

namespace quokka {

// The client operations that get an Apdex score of their own.
enum class ApdexOperation : uint8_t { kPut, kGet, kDelete, kCas, kRange };

// [metrics]
struct MetricsConfig {
  // Apdex target T: a request answered within T is "satisfied", within 4T
  // "tolerating", later or failed "frustrated". Operations without a
  // threshold of their own use this one.
  uint64_t apdex_threshold_ms = 20;
  std::optional<uint64_t> apdex_put_threshold_ms;
  std::optional<uint64_t> apdex_get_threshold_ms;
  std::optional<uint64_t> apdex_delete_threshold_ms;
  std::optional<uint64_t> apdex_cas_threshold_ms;
  std::optional<uint64_t> apdex_range_threshold_ms;
  // Latency quantiles (summaries) cover this sliding window.
  uint64_t summary_window_seconds = 60;

  // The threshold in force for `operation`.
  uint64_t apdex_threshold_ms_for(ApdexOperation operation) const {
    switch (operation) {
      case ApdexOperation::kPut: return apdex_put_threshold_ms.value_or(apdex_threshold_ms);
      case ApdexOperation::kGet: return apdex_get_threshold_ms.value_or(apdex_threshold_ms);
      case ApdexOperation::kDelete: return apdex_delete_threshold_ms.value_or(apdex_threshold_ms);
      case ApdexOperation::kCas: return apdex_cas_threshold_ms.value_or(apdex_threshold_ms);
      case ApdexOperation::kRange: return apdex_range_threshold_ms.value_or(apdex_threshold_ms);
    }
    return apdex_threshold_ms;
  }

  bool operator==(const MetricsConfig&) const = default;
};

}  // namespace quokka
