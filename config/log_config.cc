#include "config/log_config.h"

#include <array>

#include "common/assert.h"

namespace quokka {
namespace {

// Indexed by the enums' values.
constexpr std::array<std::string_view, 6> kLevelNames = {
    "trace", "debug", "info", "warn", "error", "critical"};
constexpr std::array<std::string_view, 2> kFormatNames = {"text", "json"};

}  // namespace

std::string_view log_level_name(LogLevel level) {
  auto index = static_cast<size_t>(level);
  QUOKKA_ASSERT(index < kLevelNames.size(), "unknown LogLevel {}", index);
  return kLevelNames[index];
}

std::string_view log_format_name(LogFormat format) {
  auto index = static_cast<size_t>(format);
  QUOKKA_ASSERT(index < kFormatNames.size(), "unknown LogFormat {}", index);
  return kFormatNames[index];
}

std::optional<LogLevel> log_level_from_name(std::string_view name) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

std::optional<LogFormat> log_format_from_name(std::string_view name) {
  for (size_t i = 0; i < kFormatNames.size(); ++i) {
    if (kFormatNames[i] == name) return static_cast<LogFormat>(i);
  }
  return std::nullopt;
}

std::span<const std::string_view> log_level_names() { return kLevelNames; }
std::span<const std::string_view> log_format_names() { return kFormatNames; }

}  // namespace quokka
