#include "client/ctl/duration_text.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>

namespace quokka::client::ctl {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  uint64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  uint64_t factor = 0;
  if (unit.empty() || unit == "ms") {
    factor = 1;
  } else if (unit == "s") {
    factor = 1000;
  } else if (unit == "m") {
    factor = 60 * 1000;
  } else {
    return std::nullopt;
  }
  // Durations beyond a day are typing mistakes, and keep the product small.
  if (number == 0 || number > 24ULL * 3600 * 1000 / factor) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(number * factor));
}

std::string duration_syntax_error(std::string_view text) {
  return fmt::format("\"{}\" is not a duration such as 500ms, 5s or 1m (at most a day)",
                     text);
}

}  // namespace quokka::client::ctl
