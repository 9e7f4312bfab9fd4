#include "config/config_loader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/config_errors.h"
#include "config/config_override.h"
#include "config/config_schema.h"
#include "config/config_validation.h"

namespace quokka {
namespace {

// Walks one table of the document: every key must be a field (assigned) or
// a section (walked); anything else is reported as unknown.
void read_table(const toml::table& table, std::string_view prefix, const SourceLocator& locate,
                NodeConfig& config, ConfigErrors& errors) {
  for (auto [key_entry, value_entry] : in_document_order(table)) {
    const toml::key& key = *key_entry;
    const toml::node& value = *value_entry;
    std::string path = prefix.empty() ? std::string(key.str())
                                      : fmt::format("{}.{}", prefix, key.str());
    std::string where = locate.at(key.source());
    if (const ConfigField* field = find_config_field(path)) {
      field->assign(value, where, locate, config, errors);
    } else if (is_config_section(path)) {
      if (const toml::table* section = value.as_table()) {
        read_table(*section, path, locate, config, errors);
      } else {
        errors.add(wrong_type_error(where, path, value, fmt::format("a table ([{}])", path)));
      }
    } else {
      errors.add(unknown_key_error(where, path));
    }
  }
}

// Field-by-field reading without the cross-field rules.
Result<NodeConfig> read_fields(std::string_view text, std::string_view source_name) {
  toml::table document;
  try {
    document = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    const toml::source_position& at = error.source().begin;
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}:{}:{}: TOML syntax error: {}", source_name, at.line, at.column,
                              error.description()));
  }
  NodeConfig config;
  ConfigErrors errors;
  read_table(document, "", SourceLocator::for_file(std::string(source_name)), config, errors);
  if (!errors.empty()) return errors.to_status();
  return config;
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: cannot open config file: {}", path.string(),
                              std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: cannot read config file", path.string()));
  }
  return std::move(contents).str();
}

}  // namespace

Result<NodeConfig> parse_config(std::string_view text, std::string_view source_name) {
  Result<NodeConfig> config = read_fields(text, source_name);
  if (!config.is_ok()) return config;
  if (Status status = validate(*config); !status.is_ok()) return status;
  return config;
}

Result<NodeConfig> load_config_file(const std::filesystem::path& path) {
  Result<std::string> text = read_file(path);
  if (!text.is_ok()) return text.status();
  return parse_config(*text, path.string());
}

Result<NodeConfig> load_config(const std::optional<std::filesystem::path>& path,
                               std::span<const std::string> overrides) {
  NodeConfig config;
  if (path) {
    Result<std::string> text = read_file(*path);
    if (!text.is_ok()) return text.status();
    Result<NodeConfig> from_file = read_fields(*text, path->string());
    if (!from_file.is_ok()) return from_file.status();
    config = std::move(from_file).value();
  }
  ConfigErrors errors;
  for (const std::string& assignment : overrides) {
    if (Status status = apply_override(config, assignment); !status.is_ok()) {
      errors.add(status.message());
    }
  }
  if (!errors.empty()) return errors.to_status();
  if (Status status = validate(config); !status.is_ok()) return status;
  return config;
}

}  // namespace quokka
