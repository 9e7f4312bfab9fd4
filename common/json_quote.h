#pragma once

#include <string>
#include <string_view>

namespace quokka {

// `text` as a JSON string literal, quotes included: quotes, backslashes and
// control characters escaped. Also how error messages quote a bad value.
std::string json_quote(std::string_view text);

}  // namespace quokka
