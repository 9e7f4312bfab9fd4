#include "config/config_render.h"

#include <sstream>

#include <toml++/toml.h>

#include "config/config_schema.h"

namespace quokka {

std::string to_toml(const NodeConfig& config) {
  toml::table root;
  for (const ConfigField& field : config_fields()) field.render(config, root);
  std::ostringstream out;
  out << toml::toml_formatter(root) << '\n';
  return std::move(out).str();
}

std::vector<std::string_view> config_field_paths() {
  std::vector<std::string_view> paths;
  for (const ConfigField& field : config_fields()) paths.push_back(field.path);
  return paths;
}

}  // namespace quokka
