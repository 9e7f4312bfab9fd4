#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace quokka {

enum class LogLevel : uint8_t { kTrace, kDebug, kInfo, kWarn, kError, kCritical };
enum class LogFormat : uint8_t { kText, kJson };

// The names used in config files: "trace" .. "critical", "text" | "json".
std::string_view log_level_name(LogLevel level);
std::string_view log_format_name(LogFormat format);
std::optional<LogLevel> log_level_from_name(std::string_view name);
std::optional<LogFormat> log_format_from_name(std::string_view name);
// Every accepted name, most verbose level first.
std::span<const std::string_view> log_level_names();
std::span<const std::string_view> log_format_names();

// [log]
struct LogConfig {
  LogLevel level = LogLevel::kInfo;
  // json is one object per line, for log shippers; text is for people.
  LogFormat format = LogFormat::kText;

  bool operator==(const LogConfig&) const = default;
};

}  // namespace quokka
