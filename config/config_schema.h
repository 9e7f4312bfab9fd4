#pragma once

// Internal to quokka_config: the table of every configurable field. The file
// reader, the override parser and the renderer all work from this one table,
// so a field added here is read, overridden, validated and printed alike.

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/config_errors.h"
#include "config/field_checks.h"
#include "config/node_config.h"

namespace quokka {

// How an override's value text is read: as a TOML value, or (for strings,
// addresses and choices) as plain text that may also be a quoted string.
enum class OverrideSyntax { kTomlValue, kPlainText };

struct ConfigField {
  // Dotted path, e.g. "limits.value_bytes_max".
  std::string_view path;
  OverrideSyntax override_syntax = OverrideSyntax::kTomlValue;
  // For messages about values that are not even TOML: "an integer".
  std::string expected;
  // Checks `value`; when it is acceptable stores it into `config` and
  // records `where` as its origin, otherwise adds errors and leaves
  // `config` as it was.
  std::function<void(const toml::node& value, const std::string& where,
                     const SourceLocator& locate, NodeConfig& config, ConfigErrors& errors)>
      assign;
  // Adds the field's value to `root` at its path; nothing for an unset
  // optional field.
  std::function<void(const NodeConfig& config, toml::table& root)> render;
};

// In documentation order.
const std::vector<ConfigField>& config_fields();
// Nullptr when `path` is not a field.
const ConfigField* find_config_field(std::string_view path);
// The top-level tables: "node", "listen", ...
std::span<const std::string_view> config_section_names();
bool is_config_section(std::string_view path);

// The member list field, defined in cluster_members_field.cc.
ConfigField cluster_members_field();

// The message for a key that is neither a field nor a section, with a "did
// you mean" hint or else the keys that are allowed there.
std::string unknown_key_error(std::string_view where, std::string_view path);

// Puts `value` into `root` at the dotted `path`, creating tables on the way.
void insert_at_path(toml::table& root, std::string_view path, toml::node&& value);

}  // namespace quokka
