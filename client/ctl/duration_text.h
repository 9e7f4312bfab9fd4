#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace quokka::client::ctl {

// Parses a positive duration: a whole number followed by "ms", "s" or "m"
// ("500ms", "5s", "1m"); a bare number counts milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The message for text that parse_duration refuses.
std::string duration_syntax_error(std::string_view text);

}  // namespace quokka::client::ctl
