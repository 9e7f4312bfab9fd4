#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "config/node_config.h"

namespace quokka {

// Reading a NodeConfig from TOML.
//
// Every field is checked: its type, its allowed range or syntax, and that it
// is a known key at all (a misspelt key is an error, never silently
// ignored). Fields not in the text keep their defaults. Errors have the code
// INVALID_ARGUMENT and one line per problem, all problems found rather than
// only the first, each shaped like
//
//   node1.toml:12:1: limits.value_bytes_max = 0 is out of range; allowed 1..1073741824 bytes
//
// A TOML syntax error stops parsing, so it is reported alone. Cross-field
// rules (see validate()) are checked only once every field is acceptable on
// its own, because they would mostly repeat those errors.

// Parses `text` and validates the result completely. `source_name` names the
// text in error messages, usually the file's path.
Result<NodeConfig> parse_config(std::string_view text,
                                std::string_view source_name);

// parse_config() on the contents of `path`, named as given.
Result<NodeConfig> load_config_file(const std::filesystem::path& path);

// What the daemon calls: the file (or the defaults when there is none), then
// each override in order (see apply_override()), then the cross-field rules,
// so an override can repair a file that is inconsistent on its own.
Result<NodeConfig> load_config(const std::optional<std::filesystem::path>& path,
                               std::span<const std::string> overrides);

}  // namespace quokka
