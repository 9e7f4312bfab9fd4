#pragma once

// Internal to quokka_config: the checks of single TOML values against a
// field's rules, shared by the file reader, the member list and overrides.
// Each check either returns the accepted value or adds one error line to
// `errors` (shaped "<where>: <path> = <value> <problem>; allowed <what>")
// and returns nothing.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config/config_errors.h"
#include "config/host_port.h"

namespace quokka {

// Turns a place in the TOML text into "file:line:column" for messages.
// Overrides have no useful positions, so every place there is "--set".
class SourceLocator {
 public:
  static SourceLocator for_file(std::string source_name) {
    return SourceLocator(std::move(source_name), true);
  }
  static SourceLocator for_override() { return SourceLocator("--set", false); }

  std::string at(const toml::source_region& region) const;
  const std::string& source_name() const { return source_name_; }

 private:
  SourceLocator(std::string source_name, bool has_positions)
      : source_name_(std::move(source_name)), has_positions_(has_positions) {}

  std::string source_name_;
  bool has_positions_;
};

// The entries of `table` in the order they appear in the text (toml++
// keeps them sorted by key), so that errors come out in line order.
std::vector<std::pair<const toml::key*, const toml::node*>> in_document_order(
    const toml::table& table);

// A TOML value as it would be written, shortened when long: 42, "text",
// true, [1, 2].
std::string toml_value_text(const toml::node& value);
// "an integer", "a string", "a table", ...
std::string_view toml_type_description(const toml::node& value);

// "<where>: <path> = <value> <problem>; allowed <allowed>"
std::string field_error(std::string_view where, std::string_view path,
                        std::string_view value_text, std::string_view problem,
                        std::string_view allowed);
// "... has the wrong type; expected <expected>, got <actual type>"
std::string wrong_type_error(std::string_view where, std::string_view path,
                             const toml::node& value, std::string_view expected);

struct IntegerBounds {
  int64_t min;
  int64_t max;
  // Plural, e.g. "bytes"; empty for plain numbers.
  std::string_view unit;

  // "1..1073741824 bytes"
  std::string allowed() const;
};

std::optional<int64_t> check_integer(const toml::node& value, std::string_view path,
                                     std::string_view where, const IntegerBounds& bounds,
                                     ConfigErrors& errors);

std::optional<bool> check_boolean(const toml::node& value, std::string_view path,
                                  std::string_view where, ConfigErrors& errors);

// A rule for a string field: returns why `text` is not allowed, or nothing.
using TextRule = std::function<std::optional<std::string>(std::string_view text)>;

std::optional<std::string> check_text(const toml::node& value, std::string_view path,
                                      std::string_view where, const TextRule& rule,
                                      std::string_view allowed, ConfigErrors& errors);

// Whether an address is only bound locally or also dialled by other nodes;
// a wildcard address such as 0.0.0.0 can only be bound.
enum class AddressUse { kListen, kDial };

std::optional<HostPort> check_address(const toml::node& value, std::string_view path,
                                      std::string_view where, AddressUse use,
                                      ConfigErrors& errors);

// One of `choices`, with a "did you mean" hint for a near miss.
std::optional<std::string> check_choice(const toml::node& value, std::string_view path,
                                        std::string_view where,
                                        std::span<const std::string_view> choices,
                                        ConfigErrors& errors);

}  // namespace quokka
