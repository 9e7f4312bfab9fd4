#include "config/field_checks.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "common/json_quote.h"
#include "config/closest_name.h"

namespace quokka {
namespace {

constexpr size_t kValueTextMax = 80;

std::string quoted(std::string_view text) { return json_quote(text); }

std::string value_text_unbounded(const toml::node& value) {
  if (const auto* text = value.as_string()) return quoted(text->get());
  if (const auto* integer = value.as_integer()) return fmt::format("{}", integer->get());
  if (const auto* boolean = value.as_boolean()) return boolean->get() ? "true" : "false";
  if (const auto* array = value.as_array()) {
    std::string out = "[";
    for (size_t i = 0; i < array->size(); ++i) {
      if (i > 0) out += ", ";
      out += value_text_unbounded(*array->get(i));
      if (out.size() > kValueTextMax) break;
    }
    return out + "]";
  }
  if (const auto* table = value.as_table()) {
    std::string out = "{";
    bool first = true;
    for (auto&& [key, element] : *table) {
      if (!first) out += ", ";
      first = false;
      out += fmt::format("{} = {}", key.str(), value_text_unbounded(element));
      if (out.size() > kValueTextMax) break;
    }
    return out + "}";
  }
  // Floats, dates and times: toml++ prints them in TOML syntax.
  std::ostringstream out;
  value.visit([&out](const auto& node) { out << node; });
  return out.str();
}

}  // namespace

std::string SourceLocator::at(const toml::source_region& region) const {
  if (!has_positions_) return source_name_;
  return fmt::format("{}:{}:{}", source_name_, region.begin.line, region.begin.column);
}

std::vector<std::pair<const toml::key*, const toml::node*>> in_document_order(
    const toml::table& table) {
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (auto&& [key, value] : table) entries.emplace_back(&key, &value);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const toml::source_position& left = a.first->source().begin;
    const toml::source_position& right = b.first->source().begin;
    if (left.line != right.line) return left.line < right.line;
    return left.column < right.column;
  });
  return entries;
}

std::string toml_value_text(const toml::node& value) {
  std::string text = value_text_unbounded(value);
  if (text.size() > kValueTextMax) {
    text.resize(kValueTextMax);
    text += "...";
  }
  return text;
}

std::string_view toml_type_description(const toml::node& value) {
  switch (value.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::string field_error(std::string_view where, std::string_view path,
                        std::string_view value_text, std::string_view problem,
                        std::string_view allowed) {
  return fmt::format("{}: {} = {} {}; allowed {}", where, path, value_text, problem, allowed);
}

std::string wrong_type_error(std::string_view where, std::string_view path,
                             const toml::node& value, std::string_view expected) {
  return fmt::format("{}: {} = {} has the wrong type; expected {}, got {}", where, path,
                     toml_value_text(value), expected, toml_type_description(value));
}

std::string IntegerBounds::allowed() const {
  if (unit.empty()) return fmt::format("{}..{}", min, max);
  return fmt::format("{}..{} {}", min, max, unit);
}

std::optional<int64_t> check_integer(const toml::node& value, std::string_view path,
                                     std::string_view where, const IntegerBounds& bounds,
                                     ConfigErrors& errors) {
  const auto* integer = value.as_integer();
  if (integer == nullptr) {
    errors.add(wrong_type_error(where, path, value, "an integer"));
    return std::nullopt;
  }
  int64_t number = integer->get();
  if (number < bounds.min || number > bounds.max) {
    errors.add(field_error(where, path, fmt::format("{}", number), "is out of range",
                           bounds.allowed()));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> check_boolean(const toml::node& value, std::string_view path,
                                  std::string_view where, ConfigErrors& errors) {
  const auto* boolean = value.as_boolean();
  if (boolean == nullptr) {
    errors.add(wrong_type_error(where, path, value, "a boolean (true or false)"));
    return std::nullopt;
  }
  return boolean->get();
}

std::optional<std::string> check_text(const toml::node& value, std::string_view path,
                                      std::string_view where, const TextRule& rule,
                                      std::string_view allowed, ConfigErrors& errors) {
  const auto* text = value.as_string();
  if (text == nullptr) {
    errors.add(wrong_type_error(where, path, value, "a string"));
    return std::nullopt;
  }
  if (std::optional<std::string> problem = rule(text->get())) {
    errors.add(field_error(where, path, quoted(text->get()), *problem, allowed));
    return std::nullopt;
  }
  return text->get();
}

std::optional<HostPort> check_address(const toml::node& value, std::string_view path,
                                      std::string_view where, AddressUse use,
                                      ConfigErrors& errors) {
  const auto* text = value.as_string();
  if (text == nullptr) {
    errors.add(wrong_type_error(where, path, value, "a string \"host:port\""));
    return std::nullopt;
  }
  Result<HostPort> address = parse_host_port(text->get());
  if (!address.is_ok()) {
    errors.add(field_error(where, path, quoted(text->get()),
                           fmt::format("is not a valid address ({})", address.status().message()),
                           kHostPortSyntax));
    return std::nullopt;
  }
  if (use == AddressUse::kDial && address->is_wildcard()) {
    errors.add(field_error(where, path, quoted(text->get()),
                           "is a wildcard address, which other nodes cannot dial",
                           "a specific host:port, e.g. 127.0.0.1:7201"));
    return std::nullopt;
  }
  return std::move(address).value();
}

std::optional<std::string> check_choice(const toml::node& value, std::string_view path,
                                        std::string_view where,
                                        std::span<const std::string_view> choices,
                                        ConfigErrors& errors) {
  const auto* text = value.as_string();
  if (text == nullptr) {
    errors.add(wrong_type_error(where, path, value, "a string"));
    return std::nullopt;
  }
  for (std::string_view choice : choices) {
    if (choice == text->get()) return text->get();
  }
  std::string problem = "is not one of the choices";
  if (std::optional<std::string_view> hint = closest_name(text->get(), choices)) {
    problem = fmt::format("is not one of the choices (did you mean \"{}\"?)", *hint);
  }
  errors.add(field_error(where, path, quoted(text->get()), problem,
                         fmt::format("{}", fmt::join(choices, ", "))));
  return std::nullopt;
}

}  // namespace quokka
