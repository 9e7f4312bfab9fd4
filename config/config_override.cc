#include "config/config_override.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/config_errors.h"
#include "config/config_schema.h"

namespace quokka {
namespace {

constexpr std::string_view kSource = "--set";

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

Status invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Status apply_override(NodeConfig& config, std::string_view assignment) {
  size_t equals = assignment.find('=');
  if (equals == std::string_view::npos) {
    return invalid(fmt::format("{}: \"{}\" is not an assignment; expected section.field=value, "
                               "e.g. limits.value_bytes_max=1048576",
                               kSource, assignment));
  }
  std::string_view path = trim(assignment.substr(0, equals));
  std::string_view value_text = trim(assignment.substr(equals + 1));

  const ConfigField* field = find_config_field(path);
  if (field == nullptr) {
    if (is_config_section(path)) {
      return invalid(fmt::format("{}: {} is a section; set one of its fields, e.g. {}.<field>=value",
                                 kSource, path, path));
    }
    return invalid(unknown_key_error(kSource, path));
  }

  // The value is read as TOML in a one-line document of its own, so that
  // overrides accept exactly what a config file accepts. Text fields also
  // take unquoted text, which is what people type in a shell.
  toml::table document;
  bool quoted = value_text.starts_with('"') || value_text.starts_with('\'');
  if (field->override_syntax == OverrideSyntax::kPlainText && !quoted) {
    document.insert("value", std::string(value_text));
  } else {
    try {
      document = toml::parse(fmt::format("value = {}", value_text), kSource);
    } catch (const toml::parse_error& error) {
      return invalid(fmt::format("{}: {} = {} is not a valid value ({}); expected {}", kSource,
                                 path, value_text, error.description(), field->expected));
    }
  }
  const toml::node* value = document.get("value");
  if (value == nullptr || document.size() != 1) {
    return invalid(fmt::format("{}: {} = {} is not a single value; expected {}", kSource, path,
                               value_text, field->expected));
  }

  // Assign to a copy, so that a rejected override leaves `config` untouched
  // even for fields that are assigned piecewise (the member list).
  NodeConfig updated = config;
  ConfigErrors errors;
  field->assign(*value, std::string(kSource), SourceLocator::for_override(), updated, errors);
  if (!errors.empty()) return errors.to_status();
  config = std::move(updated);
  return Status::ok();
}

}  // namespace quokka
